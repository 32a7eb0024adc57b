"""Public read operations of the switchboard: the routing guide."""

from __future__ import annotations

import strawberry
from django.core.exceptions import ValidationError

from liaison import instruments
from liaison.schema.enums import RequestCategory, RequestKind
from switchboard import selectors


@strawberry.type(name="RoutingGuide")
class RoutingGuide:
    """Which desk handles a kind of request, by when, and what it must contain."""

    team_name: str
    deadline_seconds: int
    channel: str
    required_fields: list[str]
    accepted_legal_bases: list[str]
    urgent: bool
    jurisdiction: str


@strawberry.type
class Query:
    """The public routing guide."""

    @strawberry.field(description="Public: where to send a request and its deadline.")
    def routing_guide(
        self, kind: RequestKind, category: RequestCategory, jurisdiction: str
    ) -> RoutingGuide:
        try:
            code = instruments.validate_country(jurisdiction, field="jurisdiction")
        except ValidationError as error:
            # A query has no OperationInfo: the field's own error is the GraphQL error.
            raise error.error_dict["jurisdiction"][0] from None
        answer = selectors.routing_guide_get(
            kind=kind.value, category=category.value, jurisdiction=code
        )
        return RoutingGuide(
            team_name=answer.team_name,
            deadline_seconds=answer.deadline_seconds,
            channel=answer.channel,
            required_fields=answer.required_fields,
            accepted_legal_bases=answer.accepted_legal_bases,
            urgent=answer.urgent,
            jurisdiction=code,
        )
