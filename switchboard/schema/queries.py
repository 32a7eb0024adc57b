"""Public read operations of the hotline app."""

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
        code = instruments.country_code(jurisdiction)
        if code is None:
            raise ValidationError(
                f"{jurisdiction!r} is not an ISO 3166-1 alpha-2 country code.",
                code="invalid_country",
            )
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
