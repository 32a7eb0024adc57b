"""Strawberry permission classes built on the actor of the request."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from core.graphql.context import AUTHENTICATION_REQUIRED, UNAUTHENTICATED, Info


class IsAuthenticated(BasePermission):
    """The caller presented a valid API token (or a staff session): refused with the same
    message and code as `Context.require_actor`."""

    message = AUTHENTICATION_REQUIRED
    error_extensions = {"code": UNAUTHENTICATED}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.actor_or_none is not None
