"""Database calls of async code (WebSocket consumers, subscriptions, ASGI guards) on a bounded
thread pool of their own, instead of the one thread Django and Channels share.

`channels.db.database_sync_to_async` runs every call thread-sensitively: outside an HTTP
request (whose handler gives each request a thread of its own), that is ONE thread per process,
shared by every consumer's connect, every subscription's replay and every send over a
WebSocket. A reconnect storm's replays then queue behind each other and behind every send.

`database_async(func)` runs `func` on a pool of at most `settings.DB_ASYNC_THREADS` threads
(default 4), with `close_old_connections` before and after each call exactly as channels does
(same class, `DatabaseSyncToAsync`): each thread keeps its own persistent connection (or takes
one from the psycopg pool when DB_POOL is on), so the calls add at most that many connections
per process. Only for code that needs no thread affinity: no transaction spans two calls.

`resolve_off_thread(func)` is the same for a sync GraphQL resolver that serves both transports:
over HTTP (a sync view, already on its request's thread) it runs in place; over WebSocket
(async execution) it returns the awaitable of `func` on the pool.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

from channels.db import DatabaseSyncToAsync
from django.conf import settings

P = ParamSpec("P")
R = TypeVar("R")

DEFAULT_THREADS = 4
THREAD_NAME_PREFIX = "db-async"

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None


def executor() -> ThreadPoolExecutor:
    """The process's pool of database threads (created on first use, so after a fork)."""
    global _executor
    with _lock:
        if _executor is None:
            size = int(getattr(settings, "DB_ASYNC_THREADS", DEFAULT_THREADS))
            _executor = ThreadPoolExecutor(
                max_workers=max(1, size), thread_name_prefix=THREAD_NAME_PREFIX
            )
        return _executor


def database_async(func: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """`func` as a coroutine function that runs on the database threads (see module)."""

    @functools.wraps(func)
    def call(*args: P.args, **kwargs: P.kwargs) -> Awaitable[R]:
        runner = DatabaseSyncToAsync(func, thread_sensitive=False, executor=executor())
        return runner(*args, **kwargs)  # type: ignore[no-any-return]

    return call


def in_event_loop() -> bool:
    """Whether the caller runs in an event loop's thread (async GraphQL execution)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def resolve_off_thread(func: Callable[[], R]) -> R | Awaitable[R]:
    """`func()` here in sync code; its awaitable on the database threads in an event loop."""
    if in_event_loop():
        return database_async(func)()
    return func()


def async_safe(resolver: Callable[P, Any]) -> Callable[P, Any]:
    """Mark a strawberry_django resolver that manages its own thread (`resolve_off_thread`):
    strawberry_django then calls it in place instead of wrapping it in a thread-sensitive
    `sync_to_async`. Without the mark it still works, back on the one thread (a test pins it)."""
    resolver.is_async_safe = True  # type: ignore[attr-defined]
    return resolver


__all__ = ["async_safe", "database_async", "executor", "in_event_loop", "resolve_off_thread"]
