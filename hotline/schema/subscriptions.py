"""Live operations of the hotline chat: a conversation's messages (replay, then live, no gap and
no duplicate) and its presence (staff online, typing).

The hand-over from replay to live: subscribe to the conversation's group FIRST (the listener
returns once Redis confirms it), then replay from the database, then drop live messages whose
seq was replayed. A live message whose seq jumps ahead (channels-redis dropped some, or the
listener's queue overflowed) is preceded by a backfill from the database. Messages commit in
seq order (the conversation row lock), so the database always has every seq below a live one.
Live messages carry their committed content; access is checked when the subscription starts
and re-checked every minute while it runs.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncGenerator

import strawberry
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from strawberry.types import Info

from core.actors import Actor
from hotline import events, selectors, services
from hotline.models import Conversation
from hotline.records import MessageView
from hotline.schema.access import HotlineNotFound, require_actor
from hotline.schema.types import HotlineMessage, HotlinePresence

ACCESS_RECHECK_SECONDS = 60.0
PRESENCE_REFRESH_SECONDS = 15.0


def _access(actor: Actor, conversation_id: object) -> Conversation:
    try:
        return selectors.conversation_get(actor=actor, conversation_id=conversation_id)
    except selectors.ConversationNotFound:
        raise HotlineNotFound from None


def _last_seq(conversation_id: int) -> int:
    return (
        Conversation.objects.filter(pk=conversation_id).values_list("last_seq", flat=True).first()
        or 0
    )


_range = database_sync_to_async(selectors.message_range)


async def _from_database(
    conversation_id: int, after_seq: int, up_to_seq: int | None = None
) -> AsyncGenerator[MessageView, None]:
    """Every message after `after_seq` (up to `up_to_seq`), oldest first, page by page."""
    while True:
        page = await _range(
            conversation_id=conversation_id, after_seq=after_seq, up_to_seq=up_to_seq
        )
        for message in page:
            yield message
            after_seq = message.seq
        if len(page) < selectors.HISTORY_PAGE_MAX:
            return


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
        actor = require_actor(info)
        conversation = await database_sync_to_async(_access)(actor, conversation_id)
        pk = conversation.pk
        async with events.listen([events.conversation_group(pk)]) as listener:
            if after_seq is None:
                last = await database_sync_to_async(_last_seq)(pk)
            else:
                last = max(0, after_seq)
                async for message in _from_database(pk, last):
                    yield HotlineMessage.build(message)
                    last = message.seq
            checked_at = time.monotonic()
            while True:
                event = await listener.get(timeout=ACCESS_RECHECK_SECONDS)
                if time.monotonic() - checked_at >= ACCESS_RECHECK_SECONDS:
                    await database_sync_to_async(_access)(actor, pk)
                    checked_at = time.monotonic()
                if event is None or event.get("type") != events.MESSAGE_EVENT:
                    continue
                message = MessageView.from_event(event["message"])
                if message.seq <= last:
                    continue  # replayed already (the hand-over) or a duplicate publish
                if message.seq > last + 1:
                    # A gap: fetch what was missed before yielding this one.
                    async for missed in _from_database(pk, last, message.seq - 1):
                        yield HotlineMessage.build(missed)
                        last = missed.seq
                yield HotlineMessage.build(message)
                last = message.seq

    @strawberry.subscription(
        description=(
            "Who is around a conversation: how many staff have the hotline open (now and on "
            "every change) and who is typing (ephemeral)."
        )
    )
    async def hotline_presence(
        self, info: Info, conversation_id: strawberry.ID
    ) -> AsyncGenerator[HotlinePresence, None]:
        actor = require_actor(info)
        conversation = await database_sync_to_async(_access)(actor, conversation_id)
        is_staff = actor.is_staff and actor.organization_id is None
        # One entry per open page (a staff member with two tabs is counted once, see selector).
        presence_id = f"{actor.user.pk}:{uuid.uuid4().hex}"
        mark = sync_to_async(services.staff_presence_mark, thread_sensitive=False)
        count = sync_to_async(selectors.staff_online_count, thread_sensitive=False)
        groups = [events.presence_group(conversation.pk), events.STAFF_PRESENCE_GROUP]
        async with events.listen(groups, probe=False) as listener:
            try:
                if is_staff:
                    await mark(presence_id=presence_id, online=True)
                online = await count()
                yield HotlinePresence(staff_online=online, typing=None)
                marked_at = checked_at = time.monotonic()
                while True:
                    event = await listener.get(timeout=PRESENCE_REFRESH_SECONDS)
                    now = time.monotonic()
                    if is_staff and now - marked_at >= PRESENCE_REFRESH_SECONDS:
                        await mark(presence_id=presence_id, online=True)
                        marked_at = now
                    if now - checked_at >= ACCESS_RECHECK_SECONDS:
                        await database_sync_to_async(_access)(actor, conversation.pk)
                        checked_at = now
                    if event is None or event.get("kind") == "staff":
                        fresh = await count()
                        if fresh != online or event is not None:
                            online = fresh
                            yield HotlinePresence(staff_online=online, typing=None)
                    elif event.get("kind") == "typing" and event.get("user_id") != actor.user.pk:
                        yield HotlinePresence(
                            staff_online=online,
                            typing=str(event.get("name", "")),
                            typing_is_staff=bool(event.get("is_staff")),
                        )
            finally:
                if is_staff:
                    await mark(presence_id=presence_id, online=False)
