"""ASGI guards of the composition root: what may reach Django at all.

- every HTTP body is bounded (core.asgi.BodyLimitMiddleware): multipart uploads by the legal
  document limit plus an envelope, everything else by REQUEST_BODY_MAX_BYTES;
- a multipart POST to /graphql/ (a document upload) must carry a valid API token, checked
  before one byte of the body is read or spooled to disk.
"""

from __future__ import annotations

from django.conf import settings

from core.asgi import ASGIApp, BodyLimitMiddleware, Receive, Scope, Send, header, send_error
from core.dbthreads import database_async
from core.http import scope_client_ip
from liaison.tokens import TokenAttemptsExceeded, api_token_authenticate_from

GRAPHQL_PATHS = frozenset({"/graphql", "/graphql/"})


def is_multipart(scope: Scope) -> bool:
    """Whether the request body is multipart/form-data (a file upload)."""
    content_type = header(scope, b"content-type") or b""
    return content_type.split(b";", 1)[0].strip().lower() == b"multipart/form-data"


def body_limit_for(scope: Scope) -> int:
    """How large a request body may be."""
    if is_multipart(scope):
        return int(settings.UPLOAD_BODY_MAX_BYTES)
    return int(settings.REQUEST_BODY_MAX_BYTES)


class UploadAuthentication:
    """401 for a multipart POST to /graphql/ without a valid bearer token, before its body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope.get("method") == "POST"
            and scope.get("path") in GRAPHQL_PATHS
            and is_multipart(scope)
        ):
            raw = (header(scope, b"authorization") or b"").decode("latin1")
            scheme, _, token = raw.partition(" ")
            actor = None
            if scheme.lower() == "bearer" and token.strip():
                try:
                    actor = await database_async(api_token_authenticate_from)(
                        token.strip(), client_address=scope_client_ip(scope)
                    )
                except TokenAttemptsExceeded as refused:
                    retry_after = str(refused.decision.retry_after).encode()
                    await send_error(
                        send, 429, "RATE_LIMITED", str(refused), ((b"retry-after", retry_after),)
                    )
                    return
            if actor is None:
                await send_error(
                    send,
                    401,
                    "UNAUTHENTICATED",
                    "Uploads need a valid API token: send 'Authorization: Bearer <token>'.",
                )
                return
        await self.app(scope, receive, send)


def guarded(app: ASGIApp) -> ASGIApp:
    """The HTTP application behind the portal's guards."""
    return BodyLimitMiddleware(UploadAuthentication(app), limit_for=body_limit_for)
