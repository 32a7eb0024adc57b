"""Read operations of the hotline chat: the viewer's conversations and their history."""

from __future__ import annotations

import strawberry
import strawberry_django

from core.graphql.context import Info
from core.graphql.permissions import IsAuthenticated
from hotline import selectors, services
from hotline.schema.types import HotlineAuthor, HotlineConversation, HotlineMessage

CONVERSATIONS_MAX = 200


@strawberry.type
class Query:
    """The viewer's hotline conversations and their messages."""

    @strawberry_django.field(
        permission_classes=[IsAuthenticated],
        description="How the viewer's own messages are signed in the hotline.",
    )
    def hotline_viewer(self, info: Info) -> HotlineAuthor:
        actor = info.context.require_actor()
        return HotlineAuthor(
            display_name=services.author_display_name(actor), is_staff=actor.is_platform_staff
        )

    @strawberry_django.field(
        permission_classes=[IsAuthenticated],
        description=(
            "The viewer organization's conversations (its main line first); for staff, every "
            "conversation, the busiest and most urgent first."
        ),
    )
    def hotline_conversations(self, info: Info) -> list[HotlineConversation]:
        # A read only: every organization's main line is created with it (hotline.receivers,
        # and migration 0005 for the ones that existed before).
        actor = info.context.require_actor()
        conversations = list(selectors.conversation_overview(actor=actor)[:CONVERSATIONS_MAX])
        reports = selectors.conversation_reports(conversation_ids=[c.pk for c in conversations])
        return [
            HotlineConversation.build(conversation, reports[conversation.pk])
            for conversation in conversations
        ]

    @strawberry_django.field(
        permission_classes=[IsAuthenticated],
        description=(
            "A conversation's messages, oldest first: those after `afterSeq` (at most `first`, "
            "up to 200), or the newest `first` without it."
        ),
    )
    def hotline_messages(
        self,
        info: Info,
        conversation_id: strawberry.ID,
        after_seq: int | None = None,
        first: int | None = None,
    ) -> list[HotlineMessage]:
        conversation = selectors.access_conversation(
            actor=info.context.require_actor(), conversation_id=conversation_id
        )
        return [
            HotlineMessage.build(message)
            for message in selectors.message_list(
                conversation=conversation, after_seq=after_seq, first=first
            )
        ]
