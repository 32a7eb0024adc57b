"""ASGI guards of the composition root: what may reach Django at all.

- every HTTP body is bounded (core.asgi.BodyLimitMiddleware): multipart uploads by the legal
  document limit plus an envelope, everything else by REQUEST_BODY_MAX_BYTES;
- a multipart POST (a document upload) must come from someone the portal knows, checked
  before one byte of the body is read or spooled to disk: to /graphql/ with a valid API token,
  anywhere else (the console's document form) with the session of an active user who proved a
  second factor in it (core.signin, the test the console and the admin apply).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user
from django.http.cookie import parse_cookie
from django.utils.module_loading import import_string

from core.asgi import ASGIApp, BodyLimitMiddleware, Receive, Scope, Send, header, send_error
from core.dbthreads import database_async
from core.http import scope_client_ip
from core.signin import second_factor_verified
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


def session_key_from(scope: Scope) -> str | None:
    """The session cookie's value of a request, if it sent one that parses."""
    # Django's own cookie parser, as for every HTTP request (it never raises).
    raw = (header(scope, b"cookie") or b"").decode("latin1")
    return parse_cookie(raw).get(settings.SESSION_COOKIE_NAME) or None


def session_user_with_second_factor(session_key: str | None) -> Any | None:
    """The active user whose session this is, if they proved a second factor in it (the
    session's auth hash is checked by `get_user`, so a changed password ends it too)."""
    if not session_key:
        return None
    session = import_string(settings.SESSION_ENGINE + ".SessionStore")(session_key)
    user = get_user(SimpleNamespace(session=session))  # type: ignore[arg-type]
    if not user.is_authenticated or not user.is_active:
        return None
    return user if second_factor_verified(session, user) else None


class UploadAuthentication:
    """401 for a multipart POST without a valid bearer token (to /graphql/) or a signed-in,
    second-factor session (anywhere else), before its body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method") == "POST" and is_multipart(scope):
            if scope.get("path") in GRAPHQL_PATHS:
                allowed = await self._token_allows(scope, send)
            else:
                allowed = await self._session_allows(scope, send)
            if not allowed:
                return
        await self.app(scope, receive, send)

    @staticmethod
    async def _session_allows(scope: Scope, send: Send) -> bool:
        user = await database_async(session_user_with_second_factor)(session_key_from(scope))
        if user is None:
            await send_error(
                send,
                401,
                "UNAUTHENTICATED",
                "Uploads need a signed-in session with a second factor: sign in again.",
            )
        return user is not None

    @staticmethod
    async def _token_allows(scope: Scope, send: Send) -> bool:
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
                return False
        if actor is None:
            await send_error(
                send,
                401,
                "UNAUTHENTICATED",
                "Uploads need a valid API token: send 'Authorization: Bearer <token>'.",
            )
        return actor is not None


def guarded(app: ASGIApp) -> ASGIApp:
    """The HTTP application behind the portal's guards."""
    return BodyLimitMiddleware(UploadAuthentication(app), limit_for=body_limit_for)
