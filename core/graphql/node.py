"""The Relay `node(id:)` field, with the portal's one "not found" for every id that names no
object the caller may see.

strawberry's NodeExtension raises for an id whose type is no node type (`Bogus:1`, `Query:1`),
which reaches the client as a masked "Unexpected error" and is logged as a server fault; a
missing or foreign object answers null. Here every such id answers null too, so that the
answer never says which of these it was.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.annotation import StrawberryAnnotation
from strawberry.relay import GlobalID
from strawberry.relay.types import GlobalIDValueError
from strawberry.types.field import StrawberryField
from strawberry_django.fields.field import StrawberryDjangoField

NodeResolver = Callable[..., relay.Node | Awaitable[relay.Node | None] | None]


class NotFoundNodeExtension(relay.NodeExtension):
    """strawberry's node resolver, with null for an id of no node type."""

    def get_node_resolver(self, field: StrawberryField) -> NodeResolver:  # type: ignore[override]
        resolve: Any = super().get_node_resolver(field)

        def resolver(
            info: strawberry.Info,
            id: Annotated[GlobalID, strawberry.argument(description="The ID of the object.")],
        ) -> relay.Node | Awaitable[relay.Node | None] | None:
            try:
                id.resolve_type(info)
            except GlobalIDValueError:
                return None
            return resolve(info, id)  # type: ignore[no-any-return]

        return resolver


def node_field(description: str = "Fetches an object given its ID.") -> Any:
    """`node: relay.Node | None = node_field()` on a Query type."""
    return StrawberryDjangoField(
        python_name=None,
        graphql_name=None,
        type_annotation=StrawberryAnnotation.from_annotation(None),
        description=description,
        extensions=[NotFoundNodeExtension()],
    )
