"""Push messages to channels groups from synchronous code (services, tasks, after commit).

`async_to_sync(layer.group_send)` from a plain thread starts a new event loop for each call, and
channels-redis keeps its Redis connections per loop, so every broadcast paid a fresh Redis
connection (about 5 ms on the routing path). Here each process keeps one background loop
thread, so the layer's connections are reused and a broadcast costs a thread hop and a few
Redis commands.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from typing import Any

from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)
SEND_TIMEOUT_SECONDS = 2.0

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_loop_pid: int | None = None


def _background_loop() -> asyncio.AbstractEventLoop:
    """This process's broadcast loop, started on first use (again after a fork)."""
    global _loop, _loop_pid
    with _lock:
        if _loop is None or _loop_pid != os.getpid() or _loop.is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(
                target=loop.run_forever, name="channels-broadcast", daemon=True
            ).start()
            _loop, _loop_pid = loop, os.getpid()
        return _loop


def group_send(group: str, message: dict[str, Any], *, layer: Any = None) -> bool:
    """Send `message` to every consumer in `group` of `layer` (the default channel layer unless
    given); False (logged) if the layer is unreachable.

    Best effort by design: live pushes are a convenience on top of what is committed, and every
    reader can catch up from the database (sequence numbers, re-reads).
    """
    layer = layer if layer is not None else get_channel_layer()
    if layer is None:
        return False
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:  # pragma: no cover - async callers await layer.group_send themselves
        raise RuntimeError("group_send() is for synchronous code; await layer.group_send instead")
    future = asyncio.run_coroutine_threadsafe(layer.group_send(group, message), _background_loop())
    try:
        future.result(timeout=SEND_TIMEOUT_SECONDS)
    except Exception:
        future.cancel()
        logger.warning("broadcast: could not send to group %s", group, exc_info=True)
        return False
    return True
