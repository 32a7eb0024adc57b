"""How the chat's resolvers find the actor and turn "not found" into one uniform GraphQL error."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from strawberry.types import Info

from core.actors import Actor
from core.graphql.context import get_actor
from hotline.selectors import NOT_FOUND


class HotlineNotFound(ObjectDoesNotExist):
    """A conversation that is missing, someone else's, or no longer the viewer's."""

    def __init__(self) -> None:
        super().__init__(NOT_FOUND)


def require_actor(info: Info) -> Actor:
    """The authenticated actor, or the error anonymous callers get."""
    actor = get_actor(info)
    if actor is None:
        raise PermissionError("Authentication required: send 'Authorization: Bearer <token>'.")
    return actor
