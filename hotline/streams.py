"""The live streams of a hotline conversation, as plain async generators the subscription
resolvers only iterate: its messages (replay, hand-over to live, gap backfill) and its presence.

The hand-over from replay to live: subscribe to the conversation's group FIRST (the listener
returns once Redis confirms it), then replay from the database, then drop live messages whose
seq was replayed. Messages commit in seq order (the conversation row lock), so the database
always has every seq below a live one; but they are PUBLISHED by whichever web process or
database thread committed them, so seq 7 often arrives just before seq 6. A live message whose
seq jumps ahead is held (REORDER_WAIT_SECONDS) for the missing ones to arrive live; only a seq
still missing then (channels-redis dropped it, or the listener's queue overflowed) is
backfilled from the database, and that backfill is shared by every stream of the process that
misses the same seqs (`_shared_range`): delivering a message costs a subscriber no query.

Live messages carry their committed content; access is checked when a stream starts and
re-checked every minute while it runs (a lost access ends it with the conversation's
"not found"), never per message.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncGenerator
from dataclasses import dataclass

from asgiref.sync import sync_to_async

from core.actors import Actor
from core.dbthreads import database_async
from hotline import events, selectors, services
from hotline.records import MessageView

ACCESS_RECHECK_SECONDS = 60.0
PRESENCE_REFRESH_SECONDS = 15.0
# How long a live message that arrived ahead of its predecessors waits for them to arrive live.
REORDER_WAIT_SECONDS = 0.05
# A backfill of a closed seq range (every seq in it committed) served to every stream of the
# process that asks for the same range within this time: its messages do not change.
SHARED_RANGE_SECONDS = 5.0
SHARED_RANGE_MAX = 256

# On the database threads (core.dbthreads): a reconnect storm's replays never queue on the
# one thread-sensitive thread behind every other consumer's database call.
_access = database_async(selectors.access_conversation)
_last_seq = database_async(selectors.conversation_last_seq)
_range = database_async(selectors.message_range)


async def _check(actor: Actor, conversation_id: object) -> int:
    """The pk of the conversation if the actor may still use it; ConversationNotFound if not."""
    conversation = await _access(
        actor=actor, conversation_id=conversation_id, with_organization=False
    )
    return int(conversation.pk)


_RangeKey = tuple[int, int, int]
_shared_pending: dict[_RangeKey, asyncio.Future[list[MessageView]]] = {}
_shared_done: OrderedDict[_RangeKey, tuple[float, list[MessageView]]] = OrderedDict()


def _shared_finish(key: _RangeKey, task: asyncio.Future[list[MessageView]]) -> None:
    if _shared_pending.get(key) is task:
        del _shared_pending[key]
    if not task.cancelled() and task.exception() is None:
        _shared_done[key] = (time.monotonic(), task.result())
        while len(_shared_done) > SHARED_RANGE_MAX:
            _shared_done.popitem(last=False)


async def _shared_range(conversation_id: int, after_seq: int, up_to_seq: int) -> list[MessageView]:
    """`message_range` of a closed range, one query for every stream of the process: the
    subscribers of a room miss the same seqs at the same moment (the access to the
    conversation is each stream's own, checked when it started)."""
    key = (conversation_id, after_seq, up_to_seq)
    done = _shared_done.get(key)
    if done is not None and time.monotonic() - done[0] < SHARED_RANGE_SECONDS:
        return done[1]
    task = _shared_pending.get(key)
    if task is None or task.get_loop() is not asyncio.get_running_loop():
        task = asyncio.ensure_future(
            _range(conversation_id=conversation_id, after_seq=after_seq, up_to_seq=up_to_seq)
        )
        _shared_pending[key] = task
        task.add_done_callback(lambda finished: _shared_finish(key, finished))
    # Shielded: a stream that ends while waiting does not cancel the others' backfill.
    return await asyncio.shield(task)


async def _from_database(
    conversation_id: int, after_seq: int, up_to_seq: int | None = None
) -> AsyncGenerator[MessageView, None]:
    """Every message after `after_seq` (up to `up_to_seq`), oldest first, page by page."""
    while True:
        if up_to_seq is None:
            page = await _range(conversation_id=conversation_id, after_seq=after_seq)
        else:
            page = await _shared_range(conversation_id, after_seq, up_to_seq)
        for message in page:
            yield message
            after_seq = message.seq
        if len(page) < selectors.HISTORY_PAGE_MAX:
            return


async def message_stream(
    *, actor: Actor, conversation_id: object, after_seq: int | None = None
) -> AsyncGenerator[MessageView, None]:
    """Every message of the conversation after `after_seq`, in seq order, then new ones live,
    with no gap and no duplicate; without `after_seq`, only new ones. Never ends by itself."""
    pk = await _check(actor, conversation_id)
    async with events.listen([events.conversation_group(pk)]) as listener:
        if after_seq is None:
            last = await _last_seq(conversation_id=pk)
        else:
            last = max(0, after_seq)
            async for message in _from_database(pk, last):
                yield message
                last = message.seq
        ahead: dict[int, MessageView] = {}  # arrived before a seq below them
        waiting_until = 0.0
        checked_at = time.monotonic()
        while True:
            timeout = (
                max(0.0, waiting_until - time.monotonic()) if ahead else ACCESS_RECHECK_SECONDS
            )
            event = await listener.get(timeout=timeout)
            now = time.monotonic()
            if now - checked_at >= ACCESS_RECHECK_SECONDS:
                await _check(actor, pk)
                checked_at = time.monotonic()
            if event is not None and event.get("type") == events.MESSAGE_EVENT:
                message = MessageView.from_event(event["message"])
                # Below `last`: replayed already (the hand-over) or a duplicate publish.
                if message.seq > last:
                    if not ahead:
                        waiting_until = now + REORDER_WAIT_SECONDS
                    ahead[message.seq] = message
            while last + 1 in ahead:
                message = ahead.pop(last + 1)
                yield message
                last = message.seq
            if ahead and time.monotonic() >= waiting_until:
                # Still a gap: what was missed (and what came after it) from the database.
                async for missed in _from_database(pk, last, max(ahead)):
                    yield missed
                    last = missed.seq
                ahead.clear()


@dataclass(frozen=True)
class PresenceUpdate:
    """Who is around a conversation: staff online now, and who just typed (if anyone)."""

    staff_online: int
    typing: str | None = None
    typing_is_staff: bool = False


async def presence_stream(
    *, actor: Actor, conversation_id: object
) -> AsyncGenerator[PresenceUpdate, None]:
    """How many staff have the hotline open (now, then on every change) and who is typing.
    A staff member's own page counts as online while the stream runs."""
    pk = await _check(actor, conversation_id)
    is_staff = actor.is_platform_staff
    # One entry per open page (a staff member with two tabs is counted once, see selector).
    presence_id = f"{actor.user.pk}:{uuid.uuid4().hex}"
    mark = sync_to_async(services.staff_presence_mark, thread_sensitive=False)
    count = sync_to_async(selectors.staff_online_count, thread_sensitive=False)
    groups = [events.presence_group(pk), events.STAFF_PRESENCE_GROUP]
    async with events.listen(groups, probe=False) as listener:
        try:
            if is_staff:
                await mark(presence_id=presence_id, online=True)
            online = await count()
            yield PresenceUpdate(staff_online=online)
            marked_at = checked_at = time.monotonic()
            while True:
                event = await listener.get(timeout=PRESENCE_REFRESH_SECONDS)
                now = time.monotonic()
                if is_staff and now - marked_at >= PRESENCE_REFRESH_SECONDS:
                    await mark(presence_id=presence_id, online=True)
                    marked_at = now
                if now - checked_at >= ACCESS_RECHECK_SECONDS:
                    await _check(actor, pk)
                    checked_at = now
                if event is None or event.get("kind") == "staff":
                    fresh = await count()
                    if fresh != online or event is not None:
                        online = fresh
                        yield PresenceUpdate(staff_online=online)
                elif event.get("kind") == "typing" and event.get("user_id") != actor.user.pk:
                    yield PresenceUpdate(
                        staff_online=online,
                        typing=str(event.get("name", "")),
                        typing_is_staff=bool(event.get("is_staff")),
                    )
        finally:
            if is_staff:
                await mark(presence_id=presence_id, online=False)


__all__ = ["PresenceUpdate", "message_stream", "presence_stream"]
