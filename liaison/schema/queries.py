"""Read operations of the liaison app."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

import strawberry
import strawberry_django
from strawberry import relay
from strawberry.types import Info
from strawberry_django.relay import DjangoListConnection

from liaison import models, selectors
from liaison.schema.types import LegalRequestType, OrganizationType, Viewer
from portal.graphql.context import get_actor
from portal.graphql.permissions import IsAuthenticated


@strawberry.type
class Query:
    """The viewer, and the viewer's organization's legal requests."""

    node: relay.Node | None = strawberry_django.node()

    @strawberry.field(description="Who the token belongs to.")
    def viewer(self, info: Info) -> Viewer:
        actor = get_actor(info)
        if actor is None:
            return Viewer(authenticated=False, email=None, organization=None, is_staff=False)
        organization: Any = actor.organization
        return Viewer(
            authenticated=True,
            email=getattr(actor.user, "email", None),
            organization=organization,
            is_staff=actor.is_staff,
        )

    @strawberry_django.field(description="Null when the request is not visible to the viewer.")
    def legal_request(
        self, info: Info, id: strawberry.ID
    ) -> Annotated[LegalRequestType, strawberry.lazy("liaison.schema.types")] | None:
        actor = get_actor(info)
        try:
            global_id = relay.GlobalID.from_id(id)
        except (ValueError, TypeError):
            return None
        if global_id.type_name != "LegalRequest":
            return None
        return selectors.legal_request_get(actor=actor, legal_request_id=global_id.node_id)  # type: ignore[return-value]

    @strawberry_django.connection(
        DjangoListConnection[LegalRequestType],
        permission_classes=[IsAuthenticated],
        description="The viewer's organization's requests, newest first (at most 100 a page).",
    )
    def legal_requests(self, info: Info) -> Iterable[models.LegalRequest]:
        return selectors.legal_request_list(actor=get_actor(info))


__all__ = ["OrganizationType", "Query"]
