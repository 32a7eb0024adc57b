"""The one place the hotline chat broadcasts (always after commit) and listens.

Chat groups use their own channel layer: `settings.CHANNEL_LAYERS["hotline"]` when configured,
else a `RedisPubSubChannelLayer` on REDIS_URL. Pub/sub publishes a message once per group and
fans it out inside each web process, about twice the throughput of RedisChannelLayer for a
busy room; it is at-most-once (a dropped connection loses what was published meanwhile),
which the chat tolerates by design: every message has a `seq`, and a subscriber that sees a
jump backfills from the database (see hotline.streams).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

from channels.layers import BaseChannelLayer, channel_layers
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.conf import settings
from django.db import transaction

from core import broadcast
from hotline.records import MessageView

logger = logging.getLogger(__name__)

CHAT_LAYER_ALIAS = "hotline"
MESSAGE_EVENT = "hotline.message"
PRESENCE_EVENT = "hotline.presence"
PROBE_EVENT = "hotline.probe"
STAFF_PRESENCE_GROUP = "hotline.staff"
# A subscriber more than this many messages behind loses the oldest (and backfills by seq).
LISTENER_QUEUE_MAX = 1000
PROBE_TIMEOUT_SECONDS = 2.0

_default_layers: dict[tuple[str, str], RedisPubSubChannelLayer] = {}


def conversation_group(conversation_id: int) -> str:
    """The group that carries one conversation's committed messages."""
    return f"hotline.conversation.{conversation_id}"


def presence_group(conversation_id: int) -> str:
    """The group that carries one conversation's typing signals."""
    return f"hotline.presence.{conversation_id}"


def chat_layer() -> BaseChannelLayer:
    """The channel layer of the chat groups (see the module docstring)."""
    if CHAT_LAYER_ALIAS in settings.CHANNEL_LAYERS:
        return channel_layers[CHAT_LAYER_ALIAS]
    # Pub/sub channels are not scoped by Redis database number: the database name in the prefix
    # keeps two portals (or two test databases) on one Redis apart.
    key = (settings.REDIS_URL, str(settings.DATABASES["default"]["NAME"]))
    layer = _default_layers.get(key)
    if layer is None:
        layer = RedisPubSubChannelLayer(hosts=[key[0]], prefix=f"liaison.{key[1]}.")
        _default_layers[key] = layer
    return layer  # type: ignore[return-value]


def _group_send(group: str, event: dict[str, Any]) -> None:
    """Publish now (best effort: a subscriber that misses it catches up by seq)."""
    broadcast.group_send(group, event, layer=chat_layer())


def message_broadcast(*, message: MessageView) -> None:
    """Tell the conversation's subscribers about a committed message."""
    _group_send(
        conversation_group(message.conversation_id),
        {"type": MESSAGE_EVENT, "message": message.to_event()},
    )


def message_broadcast_on_commit(*, message: MessageView) -> None:
    """Broadcast a message once the current transaction commits (never before)."""
    transaction.on_commit(lambda: message_broadcast(message=message))


def typing_broadcast(*, conversation_id: int, user_id: int, name: str, is_staff: bool) -> None:
    """Someone is typing in a conversation (ephemeral: never stored)."""
    _group_send(
        presence_group(conversation_id),
        {
            "type": PRESENCE_EVENT,
            "kind": "typing",
            "user_id": user_id,
            "name": name,
            "is_staff": is_staff,
        },
    )


def staff_presence_broadcast() -> None:
    """The set of staff online changed: presence subscribers recount."""
    _group_send(STAFF_PRESENCE_GROUP, {"type": PRESENCE_EVENT, "kind": "staff"})


class Listener:
    """A subscriber's own channel on the chat layer, added to some groups.

    Entering returns once the subscription is live at Redis (a probe sent to the first group
    came back), so that whatever is read from the database afterwards plus whatever arrives
    here leaves no hole. Events wait in a bounded queue; when it is full the oldest are
    dropped and counted (the reader backfills by seq).
    """

    def __init__(self, groups: list[str], *, probe: bool = True) -> None:
        self.groups = groups
        self.probe = probe
        self.layer = chat_layer()
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(LISTENER_QUEUE_MAX)
        self.dropped = 0
        self.channel = ""
        self._nonce = uuid.uuid4().hex
        self._confirmed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Listener:
        self.channel = await self.layer.new_channel(prefix="hotline.")
        added: list[str] = []
        try:
            for group in self.groups:
                await self.layer.group_add(group, self.channel)
                added.append(group)
            self._task = asyncio.create_task(self._pump())
            if self.probe and self.groups:
                await self.layer.group_send(
                    self.groups[0], {"type": PROBE_EVENT, "nonce": self._nonce}
                )
                try:
                    await asyncio.wait_for(self._confirmed.wait(), PROBE_TIMEOUT_SECONDS)
                except TimeoutError:
                    # Not fatal: a message missed in the window shows up as a seq gap later.
                    logger.warning("hotline chat: subscription probe on %s timed out", self.groups)
        except BaseException:
            await self._close(added)
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._close(self.groups)

    async def _close(self, groups: list[str]) -> None:
        for group in groups:
            with contextlib.suppress(Exception):
                await self.layer.group_discard(group, self.channel)
        if self._task is not None:
            # Cancelling the pending receive makes channels-redis drop the channel itself.
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task
            self._task = None

    async def _pump(self) -> None:
        while True:
            event = await self.layer.receive(self.channel)
            if event.get("type") == PROBE_EVENT:
                if event.get("nonce") == self._nonce:
                    self._confirmed.set()
                continue
            if self.queue.full():
                self.queue.get_nowait()
                self.dropped += 1
            self.queue.put_nowait(event)

    async def get(self, timeout: float | None = None) -> dict[str, Any] | None:
        """The next event, or None after `timeout` seconds without one."""
        if timeout is None:
            return await self.queue.get()
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None


@contextlib.asynccontextmanager
async def listen(groups: list[str], *, probe: bool = True) -> AsyncIterator[Listener]:
    """`async with listen([...]) as listener:` events of these groups until the block ends."""
    async with Listener(groups, probe=probe) as listener:
        yield listener
