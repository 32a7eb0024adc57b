"""WebSocket origin policy: browsers must come from an allowed host; scripts use tokens only.

A browser always sends `Origin`, and only a browser carries the staff session cookie, so a
connection from a foreign origin is refused (no cross-site WebSocket hijacking). A connection
without `Origin` is a program (an authority's integration): it is accepted, but the session is
ignored and it must authenticate with its token in `connection_init`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import validate_host

BROWSER_ORIGIN_KEY = "liaison_browser_origin"


def origin_allowed(origin: str) -> bool:
    """Whether a browser origin names one of the portal's own hosts."""
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    host = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    return validate_host(parts.hostname, settings.ALLOWED_HOSTS) or validate_host(
        host, settings.ALLOWED_HOSTS
    )


class OriginPolicyMiddleware:
    """Refuses foreign browser origins and marks which connections may use the session."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        if scope["type"] == "websocket":
            headers = dict(scope.get("headers") or [])
            raw_origin = headers.get(b"origin")
            if raw_origin is None:
                scope = {**scope, BROWSER_ORIGIN_KEY: False}
            elif origin_allowed(raw_origin.decode("latin1")):
                scope = {**scope, BROWSER_ORIGIN_KEY: True}
            else:
                return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
