"""The transparency figures, aggregated in SQL (GROUP BY, percentile_cont), never in Python loops.

Two queries: `live_rows` aggregates the requests received in some UTC time ranges straight from
liaison's and the switchboard's tables (the daily job, and the days not published yet);
`period_rows` sums the published days of a period together with the live ones, and takes the
medians over every sample of the period (the day rows keep their samples).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import connection

from liaison.models import (
    DisclosurePackage,
    LegalRequest,
    Organization,
    OrganizationKind,
    RequestStatus,
)
from switchboard.models import Ticket
from transparency.models import DailyReportRow

COUNTS = (
    "received",
    "fulfilled",
    "rejected",
    "withdrawn",
    "open",
    "accounts_affected",
    "acted",
    "within_deadline",
    "breaches",
    "trusted_flagger_notices",
)


@dataclass
class RowFigures:
    """One jurisdiction x kind x category: counts, rejection reasons, medians and samples."""

    jurisdiction: str
    kind: str
    category: str
    received: int = 0
    fulfilled: int = 0
    rejected: int = 0
    withdrawn: int = 0
    open: int = 0
    accounts_affected: int = 0
    acted: int = 0
    within_deadline: int = 0
    breaches: int = 0
    trusted_flagger_notices: int = 0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    median_seconds_to_acknowledge: int | None = None
    median_seconds_to_act: int | None = None
    seconds_to_acknowledge: list[int] = field(default_factory=list)
    seconds_to_act: list[int] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.jurisdiction, self.kind, self.category)


def _requests_sql(ranges: list[tuple[datetime, datetime]], jurisdiction: str | None) -> str:
    """The per-request CTE body over the given half-open ranges of `submitted_at`."""
    window = " OR ".join(
        f"(lr.submitted_at >= %(start{i})s AND lr.submitted_at < %(end{i})s)"
        for i in range(len(ranges))
    )
    country = "AND lr.jurisdiction = %(jurisdiction)s" if jurisdiction else ""
    return f"""
        SELECT lr.id, lr.jurisdiction, lr.kind, lr.category, lr.status, lr.rejection_reason,
               o.kind AS org_kind, lr.due_at, t.breached_at,
               FLOOR(EXTRACT(EPOCH FROM (t.acknowledged_at - lr.submitted_at)))::int AS ack_s,
               CASE WHEN lr.status = '{RequestStatus.FULFILLED}' THEN lr.fulfilled_at
                    WHEN lr.status = '{RequestStatus.REJECTED}' THEN lr.decided_at END AS acted_at,
               lr.submitted_at
        FROM {LegalRequest._meta.db_table} lr
        JOIN {Organization._meta.db_table} o ON o.id = lr.organization_id
        LEFT JOIN {Ticket._meta.db_table} t ON t.legal_request_id = lr.id
        WHERE ({window}) {country}
    """  # noqa: S608 - fixed table names, values bound


def live_rows(
    ranges: list[tuple[datetime, datetime]], *, jurisdiction: str | None = None
) -> list[RowFigures]:
    """Aggregate the requests received in `ranges` as they stand now, one row per group."""
    if not ranges:
        return []
    params: dict[str, Any] = {"jurisdiction": jurisdiction}
    for i, (start, end) in enumerate(ranges):
        params[f"start{i}"], params[f"end{i}"] = start, end
    done = f"('{RequestStatus.FULFILLED}', '{RequestStatus.REJECTED}', '{RequestStatus.WITHDRAWN}')"
    sql = f"""
    WITH r AS ({_requests_sql(ranges, jurisdiction)}),
    t AS (
        SELECT r.*, FLOOR(EXTRACT(EPOCH FROM (r.acted_at - r.submitted_at)))::int AS act_s FROM r
    ),
    accounts AS (
        SELECT t.jurisdiction, t.kind, t.category,
               COUNT(DISTINCT (rec->>'target_kind') || ':' || (rec->>'target')) AS n
        FROM t
        JOIN {DisclosurePackage._meta.db_table} p ON p.legal_request_id = t.id
        CROSS JOIN LATERAL jsonb_array_elements(p.records) rec
        WHERE rec->>'phone_number' IS NOT NULL
           OR jsonb_array_length(COALESCE(rec->'ip_addresses', '[]'::jsonb)) > 0
        GROUP BY 1, 2, 3
    ),
    reasons AS (
        SELECT jurisdiction, kind, category, jsonb_object_agg(reason, n) AS by_reason
        FROM (
            SELECT jurisdiction, kind, category,
                   COALESCE(NULLIF(rejection_reason, ''), 'OTHER') AS reason, COUNT(*) AS n
            FROM t WHERE status = '{RequestStatus.REJECTED}' GROUP BY 1, 2, 3, 4
        ) x GROUP BY 1, 2, 3
    ),
    g AS (
        SELECT jurisdiction, kind, category,
            COUNT(*) AS received,
            COUNT(*) FILTER (WHERE status = '{RequestStatus.FULFILLED}') AS fulfilled,
            COUNT(*) FILTER (WHERE status = '{RequestStatus.REJECTED}') AS rejected,
            COUNT(*) FILTER (WHERE status = '{RequestStatus.WITHDRAWN}') AS withdrawn,
            COUNT(*) FILTER (WHERE status NOT IN {done}) AS open,
            COUNT(acted_at) AS acted,
            COUNT(*) FILTER (WHERE acted_at IS NOT NULL AND due_at IS NOT NULL
                                   AND acted_at <= due_at) AS within_deadline,
            COUNT(breached_at) AS breaches,
            COUNT(*) FILTER (WHERE org_kind = '{OrganizationKind.NGO}') AS trusted_flagger_notices,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY ack_s) AS median_ack,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY act_s) AS median_act,
            COALESCE(array_agg(ack_s ORDER BY ack_s) FILTER (WHERE ack_s IS NOT NULL), '{{}}')
                AS ack_samples,
            COALESCE(array_agg(act_s ORDER BY act_s) FILTER (WHERE act_s IS NOT NULL), '{{}}')
                AS act_samples
        FROM t GROUP BY 1, 2, 3
    )
    SELECT g.jurisdiction, g.kind, g.category, g.received, g.fulfilled, g.rejected, g.withdrawn,
           g.open, COALESCE(accounts.n, 0), g.acted, g.within_deadline, g.breaches,
           g.trusted_flagger_notices, COALESCE(reasons.by_reason, '{{}}'::jsonb),
           ROUND(g.median_ack)::int, ROUND(g.median_act)::int, g.ack_samples, g.act_samples
    FROM g
    LEFT JOIN accounts USING (jurisdiction, kind, category)
    LEFT JOIN reasons USING (jurisdiction, kind, category)
    ORDER BY 1, 2, 3
    """  # noqa: S608 - fixed table names, values bound
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [_row(values, samples=True) for values in cursor.fetchall()]


def _row(values: tuple[Any, ...], *, samples: bool) -> RowFigures:
    jurisdiction, kind, category, *rest = values
    counts = dict(zip(COUNTS, (int(v or 0) for v in rest[: len(COUNTS)]), strict=True))
    by_reason, median_ack, median_act = rest[len(COUNTS) : len(COUNTS) + 3]
    if isinstance(by_reason, str):  # Django's cursor leaves jsonb as text
        by_reason = json.loads(by_reason)
    row = RowFigures(
        jurisdiction=jurisdiction,
        kind=kind,
        category=category,
        rejected_by_reason={k: int(v) for k, v in sorted((by_reason or {}).items())},
        median_seconds_to_acknowledge=median_ack,
        median_seconds_to_act=median_act,
    )
    for name, value in counts.items():
        setattr(row, name, value)
    if samples:
        row.seconds_to_acknowledge, row.seconds_to_act = list(rest[-2]), list(rest[-1])
    return row


def period_rows(
    *,
    first_day: date,
    last_day: date,
    live_ranges: list[tuple[datetime, datetime]],
    jurisdiction: str | None = None,
) -> list[RowFigures]:
    """The published days between `first_day` and `last_day` (inclusive), plus the requests
    received in `live_ranges` (days not published yet), summed per group; medians over all the
    samples of the period."""
    table = DailyReportRow._meta.db_table
    country = "AND jurisdiction = %(jurisdiction)s" if jurisdiction else ""
    params: dict[str, Any] = {
        "first_day": first_day,
        "last_day": last_day,
        "jurisdiction": jurisdiction,
    }
    sql = f"""
    WITH stored AS (
        SELECT jurisdiction, kind, category, received, fulfilled, rejected, withdrawn, open,
               accounts_affected, acted, within_deadline, breaches, trusted_flagger_notices,
               rejected_by_reason, seconds_to_acknowledge, seconds_to_act
        FROM {table}
        WHERE day BETWEEN %(first_day)s AND %(last_day)s {country}
    ),
    counts AS (
        SELECT jurisdiction, kind, category,
               SUM(received), SUM(fulfilled), SUM(rejected), SUM(withdrawn), SUM(open),
               SUM(accounts_affected), SUM(acted), SUM(within_deadline), SUM(breaches),
               SUM(trusted_flagger_notices)
        FROM stored GROUP BY 1, 2, 3
    ),
    reasons AS (
        SELECT jurisdiction, kind, category, jsonb_object_agg(reason, n) AS by_reason
        FROM (
            SELECT jurisdiction, kind, category, e.key AS reason, SUM(e.value::int) AS n
            FROM stored, jsonb_each_text(rejected_by_reason) e
            WHERE rejected > 0
            GROUP BY 1, 2, 3, 4
        ) x GROUP BY 1, 2, 3
    ),
    ack AS (
        SELECT jurisdiction, kind, category, percentile_cont(0.5) WITHIN GROUP (ORDER BY s) AS m
        FROM stored, unnest(seconds_to_acknowledge) s
        WHERE cardinality(seconds_to_acknowledge) > 0
        GROUP BY 1, 2, 3
    ),
    act AS (
        SELECT jurisdiction, kind, category, percentile_cont(0.5) WITHIN GROUP (ORDER BY s) AS m
        FROM stored, unnest(seconds_to_act) s
        WHERE acted > 0
        GROUP BY 1, 2, 3
    )
    SELECT counts.*, COALESCE(reasons.by_reason, '{{}}'::jsonb),
           ROUND(ack.m)::int, ROUND(act.m)::int
    FROM counts
    LEFT JOIN reasons USING (jurisdiction, kind, category)
    LEFT JOIN ack USING (jurisdiction, kind, category)
    LEFT JOIN act USING (jurisdiction, kind, category)
    ORDER BY 1, 2, 3
    """  # noqa: S608 - fixed table names, values bound
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        stored_rows = [_row(values, samples=False) for values in cursor.fetchall()]
    if not live_ranges:
        return stored_rows
    return _merge_live(
        stored_rows,
        first_day=first_day,
        last_day=last_day,
        live_ranges=live_ranges,
        jurisdiction=jurisdiction,
    )


def _merge_live(
    stored_rows: list[RowFigures],
    *,
    first_day: date,
    last_day: date,
    live_ranges: list[tuple[datetime, datetime]],
    jurisdiction: str | None,
) -> list[RowFigures]:
    """Add the live days (few: today, and a day the job has not published yet) to the stored
    sums; where a group has live samples, its medians are taken in SQL over stored + live."""
    live = {row.key: row for row in live_rows(live_ranges, jurisdiction=jurisdiction)}
    if not live:
        return stored_rows
    merged = {row.key: row for row in stored_rows}
    for key, row in live.items():
        into = merged.setdefault(key, RowFigures(*key))
        for name in COUNTS:
            setattr(into, name, getattr(into, name) + getattr(row, name))
        for reason, n in row.rejected_by_reason.items():
            into.rejected_by_reason[reason] = into.rejected_by_reason.get(reason, 0) + n
        into.rejected_by_reason = dict(sorted(into.rejected_by_reason.items()))
    medians = _medians_with_live(keys=list(live), first_day=first_day, last_day=last_day, live=live)
    for key, (ack, act) in medians.items():
        merged[key].median_seconds_to_acknowledge = ack
        merged[key].median_seconds_to_act = act
    return [merged[key] for key in sorted(merged)]


def _medians_with_live(
    *,
    keys: list[tuple[str, str, str]],
    first_day: date,
    last_day: date,
    live: dict[tuple[str, str, str], RowFigures],
) -> dict[tuple[str, str, str], tuple[int | None, int | None]]:
    """Medians over the stored samples of these groups plus their live samples, in SQL."""
    table = DailyReportRow._meta.db_table
    sql = f"""
    WITH live(jurisdiction, kind, category, ack, act) AS (
        SELECT * FROM unnest(%(j)s::text[], %(k)s::text[], %(c)s::text[],
                             %(ack)s::text[], %(act)s::text[])
    ),
    samples AS (
        SELECT jurisdiction, kind, category, seconds_to_acknowledge AS ack, seconds_to_act AS act
        FROM {table}
        WHERE day BETWEEN %(first_day)s AND %(last_day)s
          AND (jurisdiction, kind, category) IN (SELECT jurisdiction, kind, category FROM live)
        UNION ALL
        SELECT jurisdiction, kind, category, ack::int[], act::int[] FROM live
    ),
    ack AS (
        SELECT jurisdiction, kind, category, percentile_cont(0.5) WITHIN GROUP (ORDER BY s) AS m
        FROM samples, unnest(ack) s GROUP BY 1, 2, 3
    ),
    act AS (
        SELECT jurisdiction, kind, category, percentile_cont(0.5) WITHIN GROUP (ORDER BY s) AS m
        FROM samples, unnest(act) s GROUP BY 1, 2, 3
    )
    SELECT l.jurisdiction, l.kind, l.category, ROUND(ack.m)::int, ROUND(act.m)::int
    FROM live l
    LEFT JOIN ack USING (jurisdiction, kind, category)
    LEFT JOIN act USING (jurisdiction, kind, category)
    """  # noqa: S608 - fixed table names, values bound
    rows = [live[key] for key in keys]

    def literal(values: list[int]) -> str:
        return "{" + ",".join(str(v) for v in values) + "}"

    params: dict[str, Any] = {
        "j": [r.jurisdiction for r in rows],
        "k": [r.kind for r in rows],
        "c": [r.category for r in rows],
        "ack": [literal(r.seconds_to_acknowledge) for r in rows],
        "act": [literal(r.seconds_to_act) for r in rows],
        "first_day": first_day,
        "last_day": last_day,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(j, k, c): (ack, act) for j, k, c, ack, act in cursor.fetchall()}


@dataclass(frozen=True)
class BucketCount:
    """Counts of one month or quarter x jurisdiction x kind (the page's charts)."""

    bucket: date
    jurisdiction: str
    kind: str
    received: int
    fulfilled: int
    accounts_affected: int


def bucket_counts(
    *,
    first_day: date,
    last_day: date,
    live_ranges: list[tuple[datetime, datetime]],
    bucket: str,
    jurisdiction: str | None = None,
) -> list[BucketCount]:
    """Received, fulfilled and accounts affected per `bucket` ('month' or 'quarter') x
    jurisdiction x kind: the published days in SQL, plus the live ranges (few days)."""
    if bucket not in ("month", "quarter"):
        raise ValueError(bucket)
    country = "AND jurisdiction = %(jurisdiction)s" if jurisdiction else ""
    sql = f"""
    SELECT date_trunc('{bucket}', day)::date, jurisdiction, kind,
           SUM(received), SUM(fulfilled), SUM(accounts_affected)
    FROM {DailyReportRow._meta.db_table}
    WHERE day BETWEEN %(first_day)s AND %(last_day)s {country}
    GROUP BY 1, 2, 3
    """  # noqa: S608 - fixed table names, values bound
    params = {"first_day": first_day, "last_day": last_day, "jurisdiction": jurisdiction}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        totals: dict[tuple[date, str, str], list[int]] = {
            (b, j, k): [int(r), int(f), int(a)] for b, j, k, r, f, a in cursor.fetchall()
        }
    for start, end in live_ranges:
        day = start.date()
        key_date = (
            day.replace(day=1)
            if bucket == "month"
            else day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
        )
        for row in live_rows([(start, end)], jurisdiction=jurisdiction):
            into = totals.setdefault((key_date, row.jurisdiction, row.kind), [0, 0, 0])
            into[0] += row.received
            into[1] += row.fulfilled
            into[2] += row.accounts_affected
    return [BucketCount(b, j, k, *values) for (b, j, k), values in sorted(totals.items())]


@dataclass(frozen=True)
class FlaggerFigures:
    """One trusted flagger's notices of one month and category: sent, actioned, median time
    from receipt to action."""

    organization_id: int
    month: date
    category: str
    sent: int
    actioned: int
    median_seconds_to_action: int | None


def flagger_rows(
    *, start: datetime, end: datetime, organization_id: int | None, detail: bool = True
) -> list[FlaggerFigures]:
    """Moderation notices of NGOs (trusted flaggers) received in [start, end), per flagger,
    month and category (`detail`; otherwise per flagger over the whole period, month = start
    and category ""); one flagger only when `organization_id` is given."""
    only = "AND lr.organization_id = %(organization_id)s" if organization_id is not None else ""
    month = (
        "date_trunc('month', lr.submitted_at AT TIME ZONE 'UTC')::date"
        if detail
        else "%(start)s::date"
    )
    category = "lr.category" if detail else "''"
    sql = f"""
    SELECT lr.organization_id, {month}, {category}, COUNT(*),
           COUNT(*) FILTER (WHERE lr.status = '{RequestStatus.FULFILLED}'),
           ROUND(percentile_cont(0.5) WITHIN GROUP (
               ORDER BY EXTRACT(EPOCH FROM (lr.fulfilled_at - lr.submitted_at)))
               FILTER (WHERE lr.status = '{RequestStatus.FULFILLED}'))::int
    FROM {LegalRequest._meta.db_table} lr
    JOIN {Organization._meta.db_table} o ON o.id = lr.organization_id
    WHERE lr.kind = 'MODERATION_NOTICE' AND o.kind = '{OrganizationKind.NGO}'
      AND lr.submitted_at >= %(start)s AND lr.submitted_at < %(end)s {only}
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    """  # noqa: S608 - fixed table names, values bound
    with connection.cursor() as cursor:
        cursor.execute(sql, {"start": start, "end": end, "organization_id": organization_id})
        return [FlaggerFigures(*values) for values in cursor.fetchall()]
