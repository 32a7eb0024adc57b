"""The per-request GraphQL context and how resolvers find the acting organization or staff."""

from __future__ import annotations

from typing import Any

from strawberry.types import Info

from core.actors import Actor

ACTOR_KEY = "actor"


def get_actor(info: Info) -> Actor | None:
    """The authenticated actor of this operation (HTTP or WebSocket), or None when anonymous."""
    context: Any = info.context
    if isinstance(context, dict):
        return context.get(ACTOR_KEY)
    actor = getattr(context, ACTOR_KEY, None)
    if actor is not None:
        return actor
    request = getattr(context, "request", None)
    return getattr(request, "liaison_actor", None)
