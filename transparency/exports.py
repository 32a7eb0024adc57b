"""The regulators' formats: DSA Art. 15(1)(a) orders (IR 2024/2835 Annex I, section 1.2) as
CSV, and the TCO Regulation Art. 7 annual report on removal orders (JSON and CSV).

Aggregated in SQL straight from the requests of the period (as they stand now), RFC 4180 CSV
in UTF-8 (CRLF line ends, quotes doubled, every field quoted where needed).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from liaison.models import LegalRequest, RequestCategory, RequestKind, RequestStatus
from switchboard.models import Ticket

# The Member States (ISO 3166-1 alpha-2) a DSA report breaks orders down by.
EU_MEMBER_STATES = (
    "AT",
    "BE",
    "BG",
    "CY",
    "CZ",
    "DE",
    "DK",
    "EE",
    "ES",
    "FI",
    "FR",
    "GR",
    "HR",
    "HU",
    "IE",
    "IT",
    "LT",
    "LU",
    "LV",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SE",
    "SI",
    "SK",
)

# Our categories as the DSA's types of illegal content (the Transparency Database's
# STATEMENT_CATEGORY_* list); the one mapping, used by the exports and the statements of reasons.
STATEMENT_CATEGORY = {
    RequestCategory.TERRORISM: "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
    RequestCategory.CHILD_SAFETY: "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
    RequestCategory.ILLEGAL_GOODS: "STATEMENT_CATEGORY_UNSAFE_AND_ILLEGAL_PRODUCTS",
    RequestCategory.FRAUD: "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
    RequestCategory.VIOLENCE: "STATEMENT_CATEGORY_VIOLENCE",
    RequestCategory.OTHER: "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
}
ILLEGAL_CONTENT_TYPE_LABEL = {
    RequestCategory.TERRORISM: "Risk for public security (terrorist content)",
    RequestCategory.CHILD_SAFETY: "Protection of minors",
    RequestCategory.ILLEGAL_GOODS: "Unsafe and/or illegal products",
    RequestCategory.FRAUD: "Scams and/or fraud",
    RequestCategory.VIOLENCE: "Violence",
    RequestCategory.OTHER: "Other illegal content",
}
ART9 = "Orders to act against illegal content (Art. 9)"
ART10 = "Orders to provide information (Art. 10)"
ORDER_TYPE_BY_KIND = {
    RequestKind.CONTENT_REMOVAL: ART9,
    RequestKind.DATA_DISCLOSURE: ART10,
    RequestKind.EMERGENCY_DISCLOSURE: ART10,
}
DSA_ORDERS_COLUMNS = (
    "Section",
    "Type of order",
    "Member State",
    "Type of illegal content",
    "Number of orders",
    "Median time to inform the authority of receipt (hours)",
    "Median time to give effect to the order (hours)",
)
SECTION = "1.2"
TCO_ONE_HOUR_SECONDS = 3600


def _range(period_start: date, period_end: date) -> tuple[datetime, datetime]:
    start = datetime.combine(period_start, time.min, tzinfo=UTC)
    return start, datetime.combine(period_end, time.min, tzinfo=UTC) + timedelta(days=1)


def _hours(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds / 3600:.2f}"


@dataclass(frozen=True)
class OrdersRow:
    """One Member State x type of order x type of illegal content of the DSA export."""

    order_type: str
    member_state: str
    category: str
    orders: int
    median_seconds_to_confirm: float | None
    median_seconds_to_effect: float | None


def dsa_orders_rows(*, period_start: date, period_end: date) -> list[OrdersRow]:
    """Orders received from Member States' authorities in the period: number, median time to
    inform the authority of receipt (the ticket's acknowledgement) and to give effect."""
    start, end = _range(period_start, period_end)
    kinds = {kind.value: order for kind, order in ORDER_TYPE_BY_KIND.items()}
    sql = f"""
    SELECT CASE lr.kind {" ".join(f"WHEN '{k}' THEN '{o}'" for k, o in kinds.items())} END,
           lr.jurisdiction, lr.category, COUNT(*),
           percentile_cont(0.5) WITHIN GROUP (
               ORDER BY EXTRACT(EPOCH FROM (t.acknowledged_at - lr.submitted_at))),
           percentile_cont(0.5) WITHIN GROUP (
               ORDER BY EXTRACT(EPOCH FROM (lr.fulfilled_at - lr.submitted_at)))
    FROM {LegalRequest._meta.db_table} lr
    LEFT JOIN {Ticket._meta.db_table} t ON t.legal_request_id = lr.id
    WHERE lr.submitted_at >= %(start)s AND lr.submitted_at < %(end)s
      AND lr.kind = ANY(%(kinds)s) AND lr.jurisdiction = ANY(%(states)s)
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    """  # noqa: S608 - fixed table names, values bound
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {"start": start, "end": end, "kinds": list(kinds), "states": list(EU_MEMBER_STATES)},
        )
        return [OrdersRow(*values) for values in cursor.fetchall()]


def csv_text(header: tuple[str, ...], rows: list[list[Any]]) -> str:
    """RFC 4180: CRLF line ends, fields with commas, quotes or line breaks quoted."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def dsa_orders_csv(*, period_start: date, period_end: date) -> str:
    """The DSA Art. 15(1)(a) orders table, one row per Member State x type x content type."""
    rows = [
        [
            SECTION,
            row.order_type,
            row.member_state,
            ILLEGAL_CONTENT_TYPE_LABEL[RequestCategory(row.category)],
            row.orders,
            _hours(row.median_seconds_to_confirm),
            _hours(row.median_seconds_to_effect),
        ]
        for row in dsa_orders_rows(period_start=period_start, period_end=period_end)
    ]
    return csv_text(DSA_ORDERS_COLUMNS, rows)


def tco_annual_report(*, year: int, now: datetime | None = None) -> dict[str, Any]:
    """TCO Regulation Art. 7(2): removal orders (CONTENT_REMOVAL x TERRORISM) received in
    `year`, items removed or disabled (and within one hour), orders not acted on and why."""
    now = now or timezone.now()
    start, end = _range(date(year, 1, 1), date(year, 12, 31))
    table = LegalRequest._meta.db_table
    params: dict[str, Any] = {
        "start": start,
        "end": end,
        "kind": RequestKind.CONTENT_REMOVAL.value,
        "category": RequestCategory.TERRORISM.value,
        "fulfilled": RequestStatus.FULFILLED.value,
        "rejected": RequestStatus.REJECTED.value,
        "withdrawn": RequestStatus.WITHDRAWN.value,
        "hour": TCO_ONE_HOUR_SECONDS,
    }
    where = (
        "submitted_at >= %(start)s AND submitted_at < %(end)s AND kind = %(kind)s "
        "AND category = %(category)s"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT COUNT(*),
                   COUNT(*) FILTER (WHERE status = %(fulfilled)s),
                   COUNT(*) FILTER (WHERE status = %(fulfilled)s
                       AND fulfilled_at - submitted_at <= make_interval(secs => %(hour)s)),
                   COUNT(*) FILTER (WHERE status = %(rejected)s),
                   COUNT(*) FILTER (WHERE status = %(withdrawn)s),
                   COUNT(*) FILTER (WHERE status NOT IN (%(fulfilled)s, %(rejected)s,
                                                         %(withdrawn)s))
            FROM {table} WHERE {where}
            """,  # noqa: S608 - fixed table names, values bound
            params,
        )
        received, removed, within_hour, rejected, withdrawn, pending = cursor.fetchone()
        cursor.execute(
            f"""
            SELECT COALESCE(NULLIF(rejection_reason, ''), 'OTHER'), COUNT(*)
            FROM {table} WHERE {where} AND status = %(rejected)s GROUP BY 1 ORDER BY 1
            """,  # noqa: S608 - fixed table names, values bound
            params,
        )
        reasons = dict(cursor.fetchall())
        cursor.execute(
            f"""
            SELECT jurisdiction, COUNT(*) FROM {table} WHERE {where} GROUP BY 1 ORDER BY 1
            """,  # noqa: S608 - fixed table names, values bound
            params,
        )
        by_state = dict(cursor.fetchall())
    return {
        "instrument": "Regulation (EU) 2021/784 (TCO), Art. 7(2)",
        "year": year,
        "generated_at": now.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "removal_orders_received": received,
        "removal_orders_by_member_state": by_state,
        "items_removed_or_disabled": removed,
        "items_removed_or_disabled_within_one_hour": within_hour,
        "orders_not_acted_on": rejected,
        "orders_not_acted_on_by_reason": reasons,
        "orders_withdrawn": withdrawn,
        "orders_pending": pending,
    }


TCO_COLUMNS = ("Measure", "Value")


def tco_annual_csv(report: dict[str, Any]) -> str:
    """The TCO annual report flattened to measure/value rows."""
    rows: list[list[Any]] = []
    for key, value in report.items():
        if isinstance(value, dict):
            rows += [[f"{key}.{sub}", count] for sub, count in value.items()]
        else:
            rows.append([key, value])
    return csv_text(TCO_COLUMNS, rows)
