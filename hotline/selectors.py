"""Every read of the hotline app."""

from __future__ import annotations

from dataclasses import dataclass

from hotline.defaults import URGENT_CLOCK_MAX, default_clock
from liaison import instruments


@dataclass(frozen=True)
class RoutingAnswer:
    """Where a kind of request goes and what it needs, as the public guide tells it."""

    team_name: str
    deadline_seconds: int
    channel: str
    required_fields: list[str]
    accepted_legal_bases: list[str]
    urgent: bool


def routing_guide_get(*, kind: str, category: str, jurisdiction: str) -> RoutingAnswer:
    """Answer the routing guide for one kind, category and country from the clock defaults."""
    instrument = instruments.INSTRUMENTS[kind]
    clock = default_clock(kind, category)
    return RoutingAnswer(
        team_name="Legal Response Desk",
        deadline_seconds=int(clock.total_seconds()),
        channel="GraphQL API: submitLegalRequest (POST /graphql/)",
        required_fields=list(instrument.required_fields),
        accepted_legal_bases=list(instrument.accepted_legal_bases),
        urgent=clock <= URGENT_CLOCK_MAX,
    )
