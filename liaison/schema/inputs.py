"""GraphQL input types of the liaison app."""

from datetime import datetime

import strawberry

from core.graphql.text import MULTILINE
from liaison.schema.enums import (
    DataCategory,
    LegalInstrument,
    RequestCategory,
    RequestKind,
    TargetKind,
)


@strawberry.input(name="TargetInput")
class TargetInput:
    """An account, channel, phone number or message link."""

    kind: TargetKind
    value: str


@strawberry.input(name="SubmitLegalRequestInput")
class SubmitLegalRequestInput:
    """A legal request as an authority or NGO submits it."""

    kind: RequestKind
    category: RequestCategory
    reference: str = strawberry.field(description="The authority's own file number.")
    legal_basis: str = strawberry.field(description="Statute or instrument.")
    jurisdiction: str = strawberry.field(description="ISO 3166-1 alpha-2 country code.")
    summary: str = strawberry.field(metadata=MULTILINE)
    targets: list[TargetInput]
    data_categories: list[DataCategory] | None = strawberry.field(
        default=None, description="Required for the disclosure kinds."
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description=(
            "Repeat it with the same input to get the first request back instead of a new one; "
            "with another input it is refused (code idempotency_conflict)."
        ),
    )
    period_start: datetime | None = strawberry.field(
        default=None,
        description=(
            "Start of the period the requested data covers (ISO 8601 with a time zone). Give "
            "both ends or neither; at most 366 days; not in the future. A disclosure request "
            "without a period covers the 90 days before submission."
        ),
    )
    period_end: datetime | None = strawberry.field(
        default=None, description="End of the period the requested data covers."
    )
    instrument: LegalInstrument | None = strawberry.field(
        default=None,
        description=(
            "The legal instrument the request rests on; it fixes the legal clock, whether a "
            "signed document is mandatory and (for preservations) how long data is kept. When "
            "absent it is inferred from kind, category and jurisdiction (see routingGuide)."
        ),
    )
    preservation_id: strawberry.ID | None = strawberry.field(
        default=None,
        description=(
            "For a production (disclosure) request: the id of your earlier PRESERVATION "
            "request whose data it asks for. The preserved data is then kept until this "
            "request is answered, even past preservedUntil."
        ),
    )
