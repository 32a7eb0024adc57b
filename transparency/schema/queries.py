"""The public transparency report: `transparencyReport(periodStart, periodEnd, jurisdiction)`.

Only counts and medians per jurisdiction x kind x category: no field names a request, a
reference, a target or an organization.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

import strawberry
from django.core.exceptions import ValidationError
from graphql import GraphQLError

from core.graphql.context import Info
from core.graphql.permissions import IsAuthenticated
from liaison.schema.enums import RejectionReason, RequestCategory, RequestKind
from transparency import selectors
from transparency.aggregation import RowFigures


@strawberry.type(name="RejectionCount")
class RejectionCount:
    """How many requests of a row were rejected for one reason code."""

    reason: RejectionReason
    count: int


MEDIAN_PRECISION = (
    "Exact (the median of every request's seconds, rounded) when the period covers no whole "
    "calendar month; otherwise read from monthly log-scale histograms: within 1.5 % of the exact "
    "median, rounded to whole seconds (exact below 100 s)."
)


@strawberry.type(name="TransparencyReportRow")
class TransparencyReportRow:
    """Requests received in the period for one jurisdiction x kind x category, by outcome."""

    jurisdiction: str
    kind: RequestKind
    category: RequestCategory
    received: int
    fulfilled: int
    rejected: int

    @strawberry.field
    def rejected_by_reason(self) -> list[RejectionCount]:
        # Built only when asked for: a year has 900 rows.
        return [
            RejectionCount(reason=RejectionReason(reason), count=count)
            for reason, count in self.reasons.items()
        ]

    withdrawn: int
    open: int
    accounts_affected: int = strawberry.field(
        description="Distinct accounts in disclosure packages that held records (summed per day)."
    )
    median_seconds_to_acknowledge: int | None = strawberry.field(
        description="Median seconds from receipt to the ticket's acknowledgement (null when none "
        "was acknowledged). " + MEDIAN_PRECISION
    )
    median_seconds_to_act: int | None = strawberry.field(
        description="Median seconds from receipt to the action (fulfilment or removal, or "
        "rejection; null when none was acted on). " + MEDIAN_PRECISION
    )
    acted: int = strawberry.field(description="Fulfilled (or removed) or rejected.")
    within_deadline: int = strawberry.field(description="Acted on within the legal clock.")
    share_within_deadline: float | None = strawberry.field(
        description="within_deadline / acted; null when nothing was acted on."
    )
    breaches: int = strawberry.field(description="Requests whose legal deadline was breached.")
    trusted_flagger_notices: int = strawberry.field(
        description="Notices from trusted flaggers (NGOs), DSA Art. 15(1)(b)."
    )
    reasons: strawberry.Private[dict[str, int]]


@strawberry.type(name="TransparencyReport")
class TransparencyReport:
    """The platform's figures for a period of UTC days (both inclusive)."""

    period_start: date
    period_end: date
    generated_at: datetime
    rows: list[TransparencyReportRow]


def report_row(row: RowFigures) -> TransparencyReportRow:
    """The GraphQL form of one row. `kind` and `category` are passed as the enums' values (str,
    as TextChoices members are): GraphQL serializes a value with one dict lookup, a member by
    comparing it with every member, and a year has 900 rows."""
    return TransparencyReportRow(
        jurisdiction=row.jurisdiction,
        kind=cast(RequestKind, row.kind),
        category=cast(RequestCategory, row.category),
        received=row.received,
        fulfilled=row.fulfilled,
        rejected=row.rejected,
        withdrawn=row.withdrawn,
        open=row.open,
        accounts_affected=row.accounts_affected,
        median_seconds_to_acknowledge=row.median_seconds_to_acknowledge,
        median_seconds_to_act=row.median_seconds_to_act,
        acted=row.acted,
        within_deadline=row.within_deadline,
        share_within_deadline=None if row.acted == 0 else row.within_deadline / row.acted,
        breaches=row.breaches,
        trusted_flagger_notices=row.trusted_flagger_notices,
        reasons=row.rejected_by_reason,
    )


def field_error(error: ValidationError) -> GraphQLError:
    """A query has no OperationInfo: the first field error, as a GraphQL error that names its
    field and code in `extensions`."""
    field, errors = next(iter(error.error_dict.items()))
    first = errors[0]
    message = first.message % first.params if first.params else first.message
    return GraphQLError(str(message), extensions={"field": field, "code": first.code})


@strawberry.type(name="TrustedFlaggerStatistic")
class TrustedFlaggerStatistic:
    """The viewer organization's own notices of one month and category."""

    month: date = strawberry.field(description="First day of the month (UTC).")
    category: RequestCategory
    sent: int
    actioned: int
    median_seconds_to_action: int | None


@strawberry.type
class Query:
    """The public transparency report."""

    @strawberry.field(
        description="Public: requests per jurisdiction x kind x category received in a period "
        "of UTC days (both inclusive, at most 366), their outcome as of generatedAt. Published "
        "days are summed; days not published yet are live (at most a minute old)."
    )
    def transparency_report(
        self, period_start: date, period_end: date, jurisdiction: str | None = None
    ) -> TransparencyReport:
        try:
            report = selectors.transparency_report_get(
                period_start=period_start, period_end=period_end, jurisdiction=jurisdiction
            )
        except ValidationError as error:
            raise field_error(error) from None
        return TransparencyReport(
            period_start=report.period_start,
            period_end=report.period_end,
            generated_at=report.generated_at,
            rows=[report_row(row) for row in report.rows],
        )

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="The viewer organization's own moderation notices (trusted flaggers, DSA "
        "Art. 22) received in a period of UTC days (at most 366): sent, actioned, median time "
        "to action, per month and category.",
    )
    def trusted_flagger_statistics(
        self, info: Info, period_start: date, period_end: date
    ) -> list[TrustedFlaggerStatistic]:
        try:
            rows = selectors.trusted_flagger_statistics(
                actor=info.context.require_actor(),
                period_start=period_start,
                period_end=period_end,
            )
        except ValidationError as error:
            raise field_error(error) from None
        return [
            TrustedFlaggerStatistic(
                month=row.month,
                category=RequestCategory(row.category),
                sent=row.sent,
                actioned=row.actioned,
                median_seconds_to_action=row.median_seconds_to_action,
            )
            for row in rows
        ]
