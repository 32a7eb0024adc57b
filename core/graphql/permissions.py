"""Strawberry permission classes built on the actor of the request."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission
from strawberry.types import Info

from core.graphql.context import get_actor


class IsAuthenticated(BasePermission):
    """The caller presented a valid API token (or a staff session)."""

    message = "Authentication required: send 'Authorization: Bearer <token>'."
    error_extensions = {"code": "UNAUTHENTICATED"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return get_actor(info) is not None
