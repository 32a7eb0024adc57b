"""ASGI middleware of the ground floor: refuse an oversized request body before anyone reads it.

Django's ASGI handler reads a whole body (spooling it to disk past FILE_UPLOAD_MAX_MEMORY_SIZE)
before a view can look at the request, so a limit in a view comes too late: a 100 MB upload
without a token was read and spooled before "Authentication required". This middleware answers
413 at once when `Content-Length` says the body is too large, and also while the body streams in
(a chunked body carries no length): the application then sees a disconnect, never the bytes.

Also the WebSocket session stack (`session_user_stack`) whose user lookup runs on the database
threads (core.dbthreads).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from channels.auth import AuthMiddleware, get_user
from channels.sessions import CookieMiddleware, SessionMiddleware

from core.dbthreads import database_async

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[..., Awaitable[None]]  # loose: Django and Channels type their apps apart
LimitFor = Callable[[Scope], int]


def header(scope: Scope, name: bytes) -> bytes | None:
    """The first value of a request header (names are lower case in ASGI)."""
    for key, value in scope.get("headers") or ():
        if key == name:
            return bytes(value)
    return None


async def send_error(
    send: Send, status: int, code: str, message: str, headers: tuple[tuple[bytes, bytes], ...] = ()
) -> None:
    """A GraphQL-shaped JSON error response, sent straight from ASGI."""
    body = json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _too_large(limit: int) -> str:
    return f"Request body too large: at most {limit:,} bytes."


class BodyLimitMiddleware:
    """413 for HTTP request bodies above `limit_for(scope)` bytes, read or not yet read."""

    def __init__(self, app: ASGIApp, *, limit_for: LimitFor) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = header(scope, b"content-length")
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                await send_error(send, 400, "BAD_REQUEST", "Invalid Content-Length header.")
                return
            if length > limit:
                await send_error(send, 413, "PAYLOAD_TOO_LARGE", _too_large(limit))
                return
        received = 0
        exceeded = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # the application answers a disconnect; the 413 below is the answer
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, limited_receive, tracked_send)
        if exceeded and not started:
            await send_error(send, 413, "PAYLOAD_TOO_LARGE", _too_large(limit))


class ClosedSocketGuard:
    """Mixin for Channels WebSocket consumers: nothing is sent once the socket is closed.

    Without it, operations still running when a client goes away (or after the server closed
    the socket itself, e.g. 4403) send their results into a closed socket: uvicorn raises
    ClientDisconnected for each (a traceback per operation) or answers a second close with
    "Unexpected ASGI message 'websocket.close', after sending 'websocket.close'". A frame for a
    client that is gone has no reader: it is dropped here, from the first send that finds the
    client gone, once the client's disconnect came, or once the consumer closed the socket
    itself."""

    socket_closed = False

    async def send(
        self, text_data: Any = None, bytes_data: Any = None, close: bool = False
    ) -> None:
        if self.socket_closed:
            return
        try:
            await super().send(text_data, bytes_data, close)  # type: ignore[misc]
        except OSError:  # uvicorn's ClientDisconnected: the client left while we sent
            self.socket_closed = True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def watched_receive() -> Message:
            # Once the server has handed over the disconnect, a send raises RuntimeError
            # ("after sending 'websocket.close'"), not OSError: flag it here, the moment it
            # arrives, not when the consumer gets round to dispatching it.
            message = await receive()
            if message.get("type") == "websocket.disconnect":
                self.socket_closed = True
            return message

        await super().__call__(scope, watched_receive, send)  # type: ignore[misc]

    async def close(self, code: Any = None, reason: Any = None) -> None:
        if self.socket_closed:
            return
        self.socket_closed = True
        with contextlib.suppress(OSError):
            await super().close(code, reason)  # type: ignore[misc]


class SessionUserMiddleware(AuthMiddleware):
    """Channels' AuthMiddleware (scope["user"] from the session) with the user looked up on the
    database threads (core.dbthreads), not the one thread-sensitive thread: a reconnect storm's
    connects do not queue there behind every other database call of the process."""

    async def resolve_scope(self, scope: Scope) -> None:
        scope["user"]._wrapped = await database_async(get_user.func)(scope)


def session_user_stack(inner: ASGIApp) -> ASGIApp:
    """Channels' AuthMiddlewareStack (cookies, session, user) with SessionUserMiddleware."""
    return CookieMiddleware(SessionMiddleware(SessionUserMiddleware(inner)))  # type: ignore[no-any-return]
