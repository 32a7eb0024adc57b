"""Read operations of the hotline chat: the viewer's conversations and their history."""

from __future__ import annotations

import strawberry
import strawberry_django
from strawberry.types import Info

from core.graphql.permissions import IsAuthenticated
from hotline import selectors, services
from hotline.schema.access import HotlineNotFound, require_actor
from hotline.schema.types import HotlineAuthor, HotlineConversation, HotlineMessage


@strawberry.type
class Query:
    """The viewer's hotline conversations and their messages."""

    @strawberry_django.field(
        permission_classes=[IsAuthenticated],
        description="How the viewer's own messages are signed in the hotline.",
    )
    def hotline_viewer(self, info: Info) -> HotlineAuthor:
        actor = require_actor(info)
        return HotlineAuthor(
            display_name=services.author_display_name(actor),
            is_staff=actor.is_staff and actor.organization_id is None,
        )

    @strawberry_django.field(
        permission_classes=[IsAuthenticated],
        description=(
            "The viewer organization's conversations (its main line first); for staff, every "
            "conversation, the busiest and most urgent first."
        ),
    )
    def hotline_conversations(self, info: Info) -> list[HotlineConversation]:
        actor = require_actor(info)
        if (
            actor.organization is not None
            and not selectors.conversation_list(actor=actor)
            .filter(legal_request__isnull=True)
            .exists()
        ):
            services.conversation_main_ensure(organization=actor.organization)
        conversations = list(selectors.conversation_overview(actor=actor)[:200])
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
        actor = require_actor(info)
        try:
            conversation = selectors.conversation_get(actor=actor, conversation_id=conversation_id)
        except selectors.ConversationNotFound:
            raise HotlineNotFound from None
        return [
            HotlineMessage.build(message)
            for message in selectors.message_list(
                conversation=conversation, after_seq=after_seq, first=first
            )
        ]
