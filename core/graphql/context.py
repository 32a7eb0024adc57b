"""The one GraphQL context of the portal, over HTTP and over WebSocket, and the typed `Info`
every resolver takes: `info.context.actor` is who is acting (None when anonymous)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

import strawberry

from core.actors import Actor

AUTHENTICATION_REQUIRED = "Authentication required: send 'Authorization: Bearer <token>'."
UNAUTHENTICATED = "UNAUTHENTICATED"


class AuthenticationRequired(PermissionError):
    """The operation needs an authenticated actor and the caller has none: the one error that
    says so (its code reaches the client as `extensions.code`)."""

    extensions = {"code": UNAUTHENTICATED}

    def __init__(self, message: str = AUTHENTICATION_REQUIRED) -> None:
        super().__init__(message)


@dataclass
class Context:
    """What a resolver knows about the operation it runs in.

    Built once per HTTP request by the GraphQL view, and once per WebSocket connection by the
    consumer (`actor` is set when `connection_init` authenticates).
    """

    request: Any  # the HttpRequest over HTTP, the consumer over WebSocket
    response: Any = None
    ws: Any = None  # the consumer, for WebSocket operations (subscriptions listen through it)
    actor: Actor | None = None
    connection_params: dict[str, Any] | None = None  # the `connection_init` payload
    # The caller's address (core.http.client_ip): the rate-limit bucket of anonymous callers.
    client_address: str = "0.0.0.0"  # noqa: S104 (core.http.UNKNOWN_ADDRESS, not a bind)

    @property
    def actor_or_none(self) -> Actor | None:
        """The authenticated actor, or None when anonymous (public fields)."""
        return self.actor

    def require_actor(self) -> Actor:
        """The authenticated actor; AuthenticationRequired for an anonymous caller."""
        if self.actor is None:
            raise AuthenticationRequired
        return self.actor

    # Strawberry's own integrations (and third-party extensions) read a context like a mapping.
    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key, default)


Info: TypeAlias = strawberry.Info[Context, None]

__all__ = ["AUTHENTICATION_REQUIRED", "AuthenticationRequired", "Context", "Info"]
