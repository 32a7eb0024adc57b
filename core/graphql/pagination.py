"""The portal's Relay connection: cursors that are not this connection's are a clear error.

Strawberry decodes `after` / `before` deep in its slicing (`SliceMetadata.from_arguments`): a
cursor that is not base64 or not `arrayconnection:<n>` raised a bare ValueError ("Incorrect
padding", "invalid literal for int()") that was masked as "Unexpected error." and logged with a
traceback. Here a cursor is checked before slicing and refused as the client's mistake.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry import relay
from strawberry.relay.types import PREFIX
from strawberry.relay.utils import from_base64
from strawberry_django.relay import DjangoListConnection


def check_cursor(argument: str, cursor: str | None) -> None:
    """ValueError ("Argument 'after' is not a cursor of this list …", which the error masking
    lets through) for a cursor this connection never handed out."""
    if cursor is None:
        return
    try:
        prefix, offset = from_base64(cursor)
        valid = prefix == PREFIX and offset.isdigit() and offset.isascii()
    except (ValueError, TypeError):
        valid = False
    if not valid:
        raise ValueError(
            f"Argument '{argument}' is not a cursor of this list: pass the `cursor` of an edge "
            "or `pageInfo.endCursor` / `startCursor` from an earlier page."
        )


# Same GraphQL name as strawberry-django's ("<Node>Connection"): the public schema is unchanged.
@strawberry.type(name="Connection", description="A connection to a list of items.")
class PortalListConnection(DjangoListConnection[relay.NodeType]):
    """DjangoListConnection whose `after` / `before` are checked first (`check_cursor`)."""

    @classmethod
    def resolve_connection(cls, nodes: Any, *, info: Any, **kwargs: Any) -> Any:
        check_cursor("after", kwargs.get("after"))
        check_cursor("before", kwargs.get("before"))
        return super().resolve_connection(nodes, info=info, **kwargs)


__all__ = ["PortalListConnection", "check_cursor"]
