"""Public read operations of the switchboard: the routing guide."""

from __future__ import annotations

import strawberry
from django.core.exceptions import ValidationError

from liaison import instruments
from liaison.schema.enums import LegalInstrument, RequestCategory, RequestKind
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
    instrument: LegalInstrument = strawberry.field(
        description="The instrument the answer is for: the one asked about, or the one a "
        "request without `instrument` gets (inferred from kind, category and jurisdiction)."
    )
    instrument_inferred: bool
    instrument_inference: str = strawberry.field(
        description="How the instrument of a request of this kind is inferred when absent."
    )
    clock_source: str = strawberry.field(description="The article that sets the deadline.")
    document_required: bool = strawberry.field(
        description="Whether the signed legal document must be attached (attachLegalDocument)."
    )
    document_source: str
    retention_seconds: int | None = strawberry.field(
        description="Preservations: how long the data is kept (null when counted in months)."
    )
    retention_months: int | None = strawberry.field(
        description="Preservations: how long the data is kept, in calendar months."
    )
    extension_seconds: int | None = strawberry.field(
        description="Preservations: the one extension the authority may ask for "
        "(extendPreservation)."
    )
    retention_source: str


@strawberry.type
class Query:
    """The public routing guide."""

    @strawberry.field(description="Public: where to send a request and its deadline.")
    def routing_guide(
        self,
        kind: RequestKind,
        category: RequestCategory,
        jurisdiction: str,
        instrument: LegalInstrument | None = None,
    ) -> RoutingGuide:
        try:
            code = instruments.validate_country(jurisdiction, field="jurisdiction")
        except ValidationError as error:
            # A query has no OperationInfo: the field's own error is the GraphQL error.
            raise error.error_dict["jurisdiction"][0] from None
        try:
            answer = selectors.routing_guide_get(
                kind=kind.value,
                category=category.value,
                jurisdiction=code,
                instrument=instrument.value if instrument is not None else None,
            )
        except ValueError as error:
            raise ValidationError(str(error), code="instrument_mismatch") from None
        return RoutingGuide(
            team_name=answer.team_name,
            deadline_seconds=answer.deadline_seconds,
            channel=answer.channel,
            required_fields=answer.required_fields,
            accepted_legal_bases=answer.accepted_legal_bases,
            urgent=answer.urgent,
            jurisdiction=code,
            instrument=LegalInstrument(answer.instrument),
            instrument_inferred=answer.instrument_inferred,
            instrument_inference=answer.inference_rule,
            clock_source=answer.clock_source,
            document_required=answer.document_required,
            document_source=answer.document_source,
            retention_seconds=answer.retention_seconds,
            retention_months=answer.retention_months,
            extension_seconds=answer.extension_seconds,
            retention_source=answer.retention_source,
        )
