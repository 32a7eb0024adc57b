"""Read operations of the liaison app."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any

import strawberry
import strawberry_django
from strawberry import relay

from core.errors import NotFound
from core.graphql.context import Info
from core.graphql.ids import decode_global_id, uuid_pk
from core.graphql.node import node_field
from core.graphql.pagination import PortalListConnection
from core.graphql.permissions import IsAuthenticated
from liaison import disclosure, models, selectors, signing
from liaison.disclosure import disclosure_package_csv, disclosure_package_json
from liaison.schema.enums import TargetKind
from liaison.schema.types import (
    DisclosedIpAddress,
    DisclosurePackageType,
    DisclosureRecord,
    LegalRequestType,
    OrganizationType,
    SigningKeyType,
    Viewer,
)


@strawberry.type
class Query:
    """The viewer, and the viewer's organization's legal requests."""

    node: relay.Node | None = node_field(
        "The object with this global id; null for an id of no object the caller may see."
    )

    @strawberry.field(description="Who the token belongs to.")
    def viewer(self, info: Info) -> Viewer:
        actor = info.context.actor_or_none
        if actor is None:
            return Viewer(authenticated=False, email=None, organization=None, is_staff=False)
        organization: Any = actor.organization
        return Viewer(
            authenticated=True,
            email=getattr(actor.user, "email", None),
            organization=organization,
            is_staff=actor.is_platform_staff,
        )

    @strawberry_django.field(description="Null when the request is not visible to the viewer.")
    def legal_request(
        self, info: Info, id: strawberry.ID
    ) -> Annotated[LegalRequestType, strawberry.lazy("liaison.schema.types")] | None:
        try:
            return selectors.access_legal_request(  # type: ignore[return-value]
                actor=info.context.actor_or_none,
                legal_request_id=decode_global_id(id, "LegalRequest", uuid_pk),
            )
        except NotFound:
            return None

    @strawberry.field(
        description=(
            "The signed data produced for one of the viewer's organization's fulfilled "
            "requests; null when it is not fulfilled, expired, someone else's, or fails its "
            "signature check. Every read is audited."
        )
    )
    def disclosure_package(
        self, info: Info, request_id: strawberry.ID
    ) -> DisclosurePackageType | None:
        legal_request_id = decode_global_id(request_id, "LegalRequest", uuid_pk)
        if legal_request_id is None:
            return None
        package = disclosure.disclosure_package_read(
            actor=info.context.actor_or_none, legal_request_id=legal_request_id
        )
        if package is None:
            return None
        return DisclosurePackageType(
            request_id=strawberry.ID(str(request_id)),
            created_at=package.created_at,
            expires_at=package.expires_at,
            records=[
                DisclosureRecord(
                    target_kind=TargetKind(record["target_kind"]),
                    target=record["target"],
                    phone_number=record.get("phone_number"),
                    ip_addresses=[
                        DisclosedIpAddress(
                            address=ip["address"], seen_at=datetime.fromisoformat(ip["seen_at"])
                        )
                        for ip in record["ip_addresses"]
                    ]
                    if "ip_addresses" in record
                    else None,
                )
                for record in package.records
            ],
            signature=package.signature,
            signing_key_id=package.key_id,
            json=disclosure_package_json(package),
            csv=disclosure_package_csv(package),
        )

    @strawberry.field(
        description="The public key that signs disclosure packages (public; also at "
        "/.well-known/liaison-signing-key)."
    )
    def signing_key(self) -> SigningKeyType:
        key = signing.public_key_info()
        return SigningKeyType(
            algorithm=key.algorithm,
            public_key=key.public_key,
            public_key_pem=key.public_key_pem,
            key_id=key.key_id,
        )

    @strawberry_django.connection(
        PortalListConnection[LegalRequestType],
        permission_classes=[IsAuthenticated],
        description="The viewer's organization's requests, newest first (at most 100 a page).",
    )
    def legal_requests(self, info: Info) -> Iterable[models.LegalRequest]:
        return selectors.legal_request_list(actor=info.context.require_actor())


__all__ = ["OrganizationType", "Query"]
