"""Live operations of the hotline chat: a conversation's messages (replay, then live, no gap and
no duplicate) and its presence (staff online, typing). The algorithms live in hotline.streams;
these resolvers only turn what the streams yield into GraphQL types."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing

import strawberry

from core import metrics
from core.graphql.context import Info
from hotline import streams
from hotline.schema.types import HotlineMessage, HotlinePresence


@strawberry.type
class Subscription:
    """A conversation's messages and presence, live."""

    @strawberry.subscription(
        description=(
            "Every message of the conversation after `afterSeq` (in seq order), then new ones "
            "live, with no gap and no duplicate. Without `afterSeq`: only new ones."
        )
    )
    async def hotline_messages(
        self, info: Info, conversation_id: strawberry.ID, after_seq: int | None = None
    ) -> AsyncGenerator[HotlineMessage, None]:
        stream = streams.message_stream(
            actor=info.context.require_actor(), conversation_id=conversation_id, after_seq=after_seq
        )
        metrics.HOTLINE_SUBSCRIPTIONS.labels(kind="new" if after_seq is None else "resume").inc()
        async with aclosing(stream) as messages:
            async for message in messages:
                metrics.HOTLINE_DELIVERIES.inc()
                yield HotlineMessage.build(message)

    @strawberry.subscription(
        description=(
            "Who is around a conversation: how many staff have the hotline open (now and on "
            "every change) and who is typing (ephemeral)."
        )
    )
    async def hotline_presence(
        self, info: Info, conversation_id: strawberry.ID
    ) -> AsyncGenerator[HotlinePresence, None]:
        stream = streams.presence_stream(
            actor=info.context.require_actor(), conversation_id=conversation_id
        )
        async with aclosing(stream) as updates:
            async for update in updates:
                yield HotlinePresence(
                    staff_online=update.staff_online,
                    typing=update.typing,
                    typing_is_staff=update.typing_is_staff,
                )
