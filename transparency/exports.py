"""The regulators' formats: DSA Art. 15(1)(a) orders (IR 2024/2835 Annex I, section 1.2) as
CSV in the columns of the Commission's CSV template for that section (Part 3,
"member_states_orders"), and the TCO Regulation Art. 7 annual report on removal orders (JSON
and CSV).

Aggregated in SQL straight from the requests of the period (as they stand now), RFC 4180 CSV
in UTF-8 (CRLF line ends, quotes doubled, every field quoted where needed).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from liaison.models import LegalRequest, RequestCategory, RequestKind, RequestStatus, Target
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
# The names the template and the Transparency Database give those categories.
CATEGORY_NAME = {
    "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY": "Risk for public security",
    "STATEMENT_CATEGORY_PROTECTION_OF_MINORS": "Protection of minors",
    "STATEMENT_CATEGORY_UNSAFE_AND_ILLEGAL_PRODUCTS": "Unsafe and/or illegal products",
    "STATEMENT_CATEGORY_SCAMS_AND_FRAUD": "Scams and/or fraud",
    "STATEMENT_CATEGORY_VIOLENCE": "Violence",
    "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH": "Illegal or harmful speech",
}
ORDERS_TO_ACT = (RequestKind.CONTENT_REMOVAL,)  # Art. 9 (TCO removal orders among them)
ORDERS_TO_PROVIDE_INFORMATION = (RequestKind.DATA_DISCLOSURE, RequestKind.EMERGENCY_DISCLOSURE)

# Part 3 ("member_states_orders") of the Commission's CSV templates for IR 2024/2835 Annex I,
# section 1.2 (1.2.1 orders to act, 1.2.2 orders to provide information, 1.2.3 context): one row
# per type of illegal content x Member State, both kinds of order side by side, in this order.
DSA_ORDERS_COLUMNS = (
    "Applicability",
    "Service",
    "Reporting period",
    "Category of illegal content",
    'Description of the sub-category "Other"',
    "Scope",
    "Number of orders to act against illegal content received",
    "Number of specific items of information included in the total number of orders to act "
    "against illegal content",
    "Median time to inform the authority of the receipt of the order to act against illegal "
    "content",
    "Median time to give effect to the order to act against illegal content",
    "Number of orders to provide information",
    "Median time to inform the authority of the receipt of the order to provide information",
    "Median time to give effect to the order to provide information",
    "Contextual information on number of orders to act against illegal content received",
    "Contextual information on number of specific items of information included in the total "
    "number of orders to act against illegal content",
    "Contextual information on Median time to inform the authority of the receipt of the order "
    "to act against illegal content",
    "Contextual information on Median time to give effect to the order to act against illegal "
    "content",
    "Contextual information on Number of orders to provide information",
    "Contextual information on Median time to inform the authority of the receipt of the order "
    "to provide information",
    "Contextual information on Median time to give effect to the order to provide information",
)
APPLICABILITY = "All providers of intermediary services"
CONTEXT_ORDERS = "Orders received in the reporting period from authorities of this Member State."
CONTEXT_ITEMS = "Targets (accounts, messages, URLs) named in those orders."
CONTEXT_RECEIPT = (
    "Hours, from the order's receipt to the acknowledgement sent to the authority; "
    "orders not yet acknowledged are not counted."
)
CONTEXT_EFFECT = (
    "Hours, from the order's receipt to its execution (removal or disclosure); "
    "orders not yet executed are not counted."
)
TCO_ONE_HOUR_SECONDS = 3600


def _range(period_start: date, period_end: date) -> tuple[datetime, datetime]:
    start = datetime.combine(period_start, time.min, tzinfo=UTC)
    return start, datetime.combine(period_end, time.min, tzinfo=UTC) + timedelta(days=1)


def _hours(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds / 3600:.2f}"


@dataclass(frozen=True)
class OrdersRow:
    """One type of illegal content x Member State of the DSA export: both kinds of order."""

    category: str
    member_state: str
    orders_to_act: int
    items_in_orders_to_act: int
    median_seconds_to_confirm_act: float | None
    median_seconds_to_effect_act: float | None
    orders_to_provide_information: int
    median_seconds_to_confirm_information: float | None
    median_seconds_to_effect_information: float | None


def dsa_orders_rows(*, period_start: date, period_end: date) -> list[OrdersRow]:
    """Orders received from Member States' authorities in the period, per category and Member
    State: number (and, for orders to act, the items they name), median time to inform the
    authority of receipt (the ticket's acknowledgement) and to give effect."""
    start, end = _range(period_start, period_end)
    receipt = "EXTRACT(EPOCH FROM (t.acknowledged_at - lr.submitted_at))"
    effect = "EXTRACT(EPOCH FROM (lr.fulfilled_at - lr.submitted_at))"
    act = "lr.kind = ANY(%(act)s)"
    information = "lr.kind = ANY(%(information)s)"
    sql = f"""
    SELECT lr.category, lr.jurisdiction,
           COUNT(*) FILTER (WHERE {act}),
           COALESCE(SUM(items.n) FILTER (WHERE {act}), 0),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY {receipt}) FILTER (WHERE {act}),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY {effect}) FILTER (WHERE {act}),
           COUNT(*) FILTER (WHERE {information}),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY {receipt}) FILTER (WHERE {information}),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY {effect}) FILTER (WHERE {information})
    FROM {LegalRequest._meta.db_table} lr
    LEFT JOIN {Ticket._meta.db_table} t ON t.legal_request_id = lr.id
    LEFT JOIN LATERAL (
        SELECT COUNT(*) AS n FROM {Target._meta.db_table} target
        WHERE target.legal_request_id = lr.id
    ) items ON {act}
    WHERE lr.submitted_at >= %(start)s AND lr.submitted_at < %(end)s
      AND (lr.kind = ANY(%(act)s) OR lr.kind = ANY(%(information)s))
      AND lr.jurisdiction = ANY(%(states)s)
    GROUP BY 1, 2
    """  # noqa: S608 - fixed table names, values bound
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "start": start,
                "end": end,
                "act": [kind.value for kind in ORDERS_TO_ACT],
                "information": [kind.value for kind in ORDERS_TO_PROVIDE_INFORMATION],
                "states": list(EU_MEMBER_STATES),
            },
        )
        rows = [OrdersRow(*values) for values in cursor.fetchall()]
    return sorted(rows, key=lambda row: (_category_name(row.category), row.member_state))


def _category_name(category: str) -> str:
    return CATEGORY_NAME[STATEMENT_CATEGORY[RequestCategory(category)]]


def csv_text(header: tuple[str, ...], rows: list[list[Any]]) -> str:
    """RFC 4180: CRLF line ends, fields with commas, quotes or line breaks quoted."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def dsa_orders_csv(*, period_start: date, period_end: date) -> str:
    """The DSA Art. 15(1)(a) orders table in the template's columns: one row per type of
    illegal content x Member State, median times in hours."""
    period = f"{period_start.isoformat()}/{period_end.isoformat()}"
    rows = [
        [
            APPLICABILITY,
            settings.TRANSPARENCY_SERVICE_NAME,
            period,
            _category_name(row.category),
            "",
            row.member_state,
            row.orders_to_act,
            row.items_in_orders_to_act,
            _hours(row.median_seconds_to_confirm_act),
            _hours(row.median_seconds_to_effect_act),
            row.orders_to_provide_information,
            _hours(row.median_seconds_to_confirm_information),
            _hours(row.median_seconds_to_effect_information),
            CONTEXT_ORDERS,
            CONTEXT_ITEMS,
            CONTEXT_RECEIPT,
            CONTEXT_EFFECT,
            CONTEXT_ORDERS,
            CONTEXT_RECEIPT,
            CONTEXT_EFFECT,
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
