"""The transparency figures, aggregated in SQL (GROUP BY, percentile_cont), never in Python loops.

`live_rows` aggregates the requests received in some UTC time ranges straight from liaison's and
the switchboard's tables (the daily job, and the days not published yet); `period_rows` sums
the published days of a period together with the live ones.

Medians of a period (`period_rows`):
- a period that covers no whole calendar month (a day, a week, the 10th to the 25th): exact,
  percentile_cont over every sample of its days (the day rows keep their samples);
- a period that covers whole months (a quarter, a year): it is read from the rollups
  (`rollup_build`), one per span of a month (days 1-8, 9-15, 16-23 and 24 to its end), whose
  seconds are cumulative histograms in fixed log-scale buckets (migration 0006); the days of
  the spans it cuts into (at most 4 on each side, and the live days) add or remove their
  samples. The median is then the middle of the bucket that holds the exact median: within
  1.5 % of it, exact below 100 s (buckets of 1 s). A year costs two rollup rows per group
  instead of ~365 day rows and every sample of the year, wherever in a month it starts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from liaison.models import (
    DisclosurePackage,
    LegalRequest,
    Organization,
    OrganizationKind,
    RejectionReason,
    RequestStatus,
)
from switchboard.models import Ticket
from transparency.models import DailyReport, DailyReportRow, Rollup, RollupRow

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


@contextmanager
def _cursor() -> Iterator[CursorWrapper]:
    """A cursor in a transaction with JIT compilation off: the row estimates of unnest and
    jsonb_each (100 rows a call) push these aggregates over jit_above_cost, and compiling
    them cost more than running them (55 of the 100 ms of the year query in the bench)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        yield cursor


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
    with _cursor() as cursor:
        cursor.execute(sql, params)
        return _rows(cursor.fetchall(), samples=True)


def _row(values: tuple[Any, ...], rejected_by_reason: dict[str, int], medians: Any) -> RowFigures:
    """A fetched row's RowFigures: jurisdiction, kind, category, then the COUNTS (NULL is 0)."""
    n = len(COUNTS)
    counts: dict[str, Any] = dict(zip(COUNTS, (v or 0 for v in values[3 : 3 + n]), strict=True))
    return RowFigures(
        jurisdiction=values[0],
        kind=values[1],
        category=values[2],
        **counts,
        rejected_by_reason=rejected_by_reason,
        median_seconds_to_acknowledge=medians[0],
        median_seconds_to_act=medians[1],
    )


def _rows(fetched: list[tuple[Any, ...]], *, samples: bool) -> list[RowFigures]:
    """RowFigures of fetched rows: the keys, the COUNTS, rejected_by_reason (jsonb), the two
    medians, and (`samples`) the two sorted sample arrays. The rejection reasons of every row
    are parsed in one json.loads (Django's cursor leaves jsonb as text): one call per row cost
    more than the rest of the row (900 rows in the year query)."""
    n = len(COUNTS)
    reasons = json.loads("[" + ",".join(values[3 + n] or "{}" for values in fetched) + "]")
    rows = []
    for values, by_reason in zip(fetched, reasons, strict=True):
        row = _row(values, dict(sorted(by_reason.items())), values[4 + n : 6 + n])
        if samples:
            row.seconds_to_acknowledge, row.seconds_to_act = list(values[-2]), list(values[-1])
        rows.append(row)
    return rows


def _rows_with_reason_columns(fetched: list[tuple[Any, ...]]) -> list[RowFigures]:
    """RowFigures of fetched rows: the keys, the COUNTS, the two medians, then one count per
    code of REASONS (NULL or 0: not in the row's rejected_by_reason)."""
    n = len(COUNTS)
    return [
        _row(
            values,
            {
                reason: count
                for reason, count in zip(REASONS, values[5 + n :], strict=True)
                if count is not None and count > 0
            },
            values[3 + n : 5 + n],
        )
        for values in fetched
    ]


def period_rows(
    *,
    first_day: date,
    last_day: date,
    live_ranges: list[tuple[datetime, datetime]],
    jurisdiction: str | None = None,
) -> list[RowFigures]:
    """The published days between `first_day` and `last_day` (inclusive), plus the requests
    received in `live_ranges` (days not published yet), summed per group. Medians exact over
    every sample when the period covers no whole month with rollups; otherwise from the
    rollups' histograms (within 1.5 %, see the module's docstring)."""
    spans = rollup_spans_of(first_day=first_day, last_day=last_day)
    if spans is None:
        return _exact_period_rows(
            first_day=first_day,
            last_day=last_day,
            live_ranges=live_ranges,
            jurisdiction=jurisdiction,
        )
    return _histogram_period_rows(
        first_day=first_day,
        last_day=last_day,
        spans=spans,
        live_ranges=live_ranges,
        jurisdiction=jurisdiction,
    )


def _exact_period_rows(
    *,
    first_day: date,
    last_day: date,
    live_ranges: list[tuple[datetime, datetime]],
    jurisdiction: str | None = None,
) -> list[RowFigures]:
    """`period_rows` with exact medians over every sample of the period's days."""
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
    with _cursor() as cursor:
        cursor.execute(sql, params)
        stored_rows = _rows(cursor.fetchall(), samples=False)
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
    merged = _add_counts({row.key: row for row in stored_rows}, live)
    medians = _medians_with_live(keys=list(live), first_day=first_day, last_day=last_day, live=live)
    for key, (ack, act) in medians.items():
        merged[key].median_seconds_to_acknowledge = ack
        merged[key].median_seconds_to_act = act
    return [merged[key] for key in sorted(merged)]


def _add_counts(
    merged: dict[tuple[str, str, str], RowFigures], live: dict[tuple[str, str, str], RowFigures]
) -> dict[tuple[str, str, str], RowFigures]:
    """Add the live rows' counts and rejection reasons into `merged` (medians untouched)."""
    for key, row in live.items():
        into = merged.setdefault(key, RowFigures(*key))
        for name in COUNTS:
            setattr(into, name, getattr(into, name) + getattr(row, name))
        for reason, n in row.rejected_by_reason.items():
            into.rejected_by_reason[reason] = into.rejected_by_reason.get(reason, 0) + n
        into.rejected_by_reason = dict(sorted(into.rejected_by_reason.items()))
    return merged


def _int_array_literal(values: list[int]) -> str:
    return "{" + ",".join(str(v) for v in values) + "}"


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
    params: dict[str, Any] = {
        "j": [r.jurisdiction for r in rows],
        "k": [r.kind for r in rows],
        "c": [r.category for r in rows],
        "ack": [_int_array_literal(r.seconds_to_acknowledge) for r in rows],
        "act": [_int_array_literal(r.seconds_to_act) for r in rows],
        "first_day": first_day,
        "last_day": last_day,
    }
    with _cursor() as cursor:
        cursor.execute(sql, params)
        return {(j, k, c): (ack, act) for j, k, c, ack, act in cursor.fetchall()}


# --- Rollups: the spans of a period read as two cumulative histograms per group ---

_CUMULATIVE = COUNTS
_STORED_COUNTS = ", ".join((*COUNTS, "rejected_by_reason"))
# Every code a stored `rejected_by_reason` can hold (the daily job counts a request without
# one as OTHER), in the order its dict keeps them. A period over rollups sums each code as it
# sums the counts, one column each: unpacking the objects with jsonb_each_text, grouping their
# pairs and building the objects again cost ~17 of the year query's ~40 ms of SQL.
REASONS = tuple(sorted(RejectionReason.values))
_REASON_COLUMNS = tuple(f"rejected_{reason.lower()}" for reason in REASONS)
_REASON_SUMS = ", ".join(
    f"SUM(sign * (rejected_by_reason->>'{reason}')::int) AS {column}"
    for reason, column in zip(REASONS, _REASON_COLUMNS, strict=True)
)
# The days of a month a rollup span starts on: a span is 7 or 8 days (the last one 5 to 8), so
# a period cuts at most 4 days out of, or into, the span at each of its ends.
SPAN_STARTS = (1, 9, 16, 24)


def span_of(day: date) -> date:
    """The first day of the rollup span `day` is in."""
    return day.replace(day=max(start for start in SPAN_STARTS if start <= day.day))


def span_after(span: date) -> date:
    """The first day of the span after the one starting on `span`."""
    later = [start for start in SPAN_STARTS if start > span.day]
    return span.replace(day=later[0]) if later else _next_month(span)


def span_before(span: date) -> date:
    """The first day of the span before the one starting on `span`."""
    return span_of(span - timedelta(days=1))


def _next_month(day: date) -> date:
    """The first day of the month after `day`'s."""
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _covers_a_whole_month(first_day: date, last_day: date) -> bool:
    """Whether [first_day, last_day] holds every day of some calendar month."""
    month = first_day if first_day.day == 1 else _next_month(first_day)
    return _next_month(month) - timedelta(days=1) <= last_day


@dataclass(frozen=True)
class RollupSpans:
    """The spans of a period read from rollups: `first` to `last` (first days), `before`, the
    span whose cumulative rollup is subtracted (None at the chain's start), and where the
    period cuts into the first or the last of them (`cut_start`, `cut_end`: their days
    outside the period are subtracted, day row by day row)."""

    first: date
    last: date
    before: date | None
    cut_start: date | None = None
    cut_end: date | None = None

    @property
    def end(self) -> date:
        """The day after the last rollup span."""
        return span_after(self.last)


def rollup_spans_of(*, first_day: date, last_day: date) -> RollupSpans | None:
    """The run of spans of [first_day, last_day] read from rollups, or None (then the period is
    read from its day rows, with exact medians): only for a period that covers at least one
    whole calendar month, with the span it starts or ends in when more of that span's days are
    in the period than out of it (the others are subtracted: at most 4 days of day rows on
    each side, and at most 4 added)."""
    if not _covers_a_whole_month(first_day, last_day):
        return None
    start_span, end_span = span_of(first_day), span_of(last_day)
    built = set(
        Rollup.objects.filter(start__gte=span_before(start_span), start__lte=end_span).values_list(
            "start", flat=True
        )
    )
    usable: list[date] = []
    span = start_span
    while span <= end_span:
        span_last = span_after(span) - timedelta(days=1)
        inside = (min(span_last, last_day) - max(span, first_day)).days + 1
        outside = (span_last - span).days + 1 - inside
        if span in built and outside < inside:
            usable.append(span)
        span = span_after(span)
    if not usable:
        return None
    run = [usable[0]]
    for span in usable[1:]:
        if span != span_after(run[-1]):
            break
        run.append(span)
    first, last = run[0], run[-1]
    cut_start = first_day if first_day > first else None
    cut_end = last_day if last_day < span_after(last) - timedelta(days=1) else None
    before = span_before(first)
    if before not in built:
        # Rollups form one chain of consecutive spans: no span before means `first` starts
        # it, unless the chain is broken (then read the day rows, exactly).
        if Rollup.objects.filter(start__lt=first).exists():
            return None
        before_or_none = None
    else:
        before_or_none = before
    return RollupSpans(
        first=first, last=last, before=before_or_none, cut_start=cut_start, cut_end=cut_end
    )


def _histogram_period_rows(
    *,
    first_day: date,
    last_day: date,
    spans: RollupSpans,
    live_ranges: list[tuple[datetime, datetime]],
    jurisdiction: str | None,
) -> list[RowFigures]:
    """`period_rows` over rollups: counts summed over the rollup spans and the day rows
    around them; medians from the rollups' histograms (the span after `before` through
    `last`) plus the samples of the days around them and of the live days, bucketed."""
    live = {row.key: row for row in live_rows(live_ranges, jurisdiction=jurisdiction)}
    days_table = DailyReportRow._meta.db_table
    rollups_table = RollupRow._meta.db_table
    country = "AND jurisdiction = %(jurisdiction)s" if jurisdiction else ""
    live_list = list(live.values())
    params: dict[str, Any] = {
        "first_day": first_day,
        "last_day": last_day,
        "first_span": spans.first,
        "last_span": spans.last,
        "spans_end": spans.end,
        "cut_start": spans.cut_start or spans.first,
        "cut_end": spans.cut_end or (spans.end - timedelta(days=1)),
        "before": spans.before,
        "jurisdiction": jurisdiction,
        "j": [r.jurisdiction for r in live_list],
        "k": [r.kind for r in live_list],
        "c": [r.category for r in live_list],
        "ack": [_int_array_literal(r.seconds_to_acknowledge) for r in live_list],
        "act": [_int_array_literal(r.seconds_to_act) for r in live_list],
    }
    sql = f"""
    WITH live(jurisdiction, kind, category, ack, act) AS (
        SELECT * FROM unnest(%(j)s::text[], %(k)s::text[], %(c)s::text[],
                             %(ack)s::text[], %(act)s::text[])
    ),
    days AS (
        SELECT jurisdiction, kind, category, {_STORED_COUNTS},
               seconds_to_acknowledge, seconds_to_act
        FROM {days_table}
        WHERE day BETWEEN %(first_day)s AND %(last_day)s
          AND NOT (day >= %(first_span)s AND day < %(spans_end)s) {country}
    ),
    removed AS (
        -- the days of the first and last rollup spans outside the period
        SELECT jurisdiction, kind, category, {_STORED_COUNTS},
               seconds_to_acknowledge, seconds_to_act
        FROM {days_table}
        WHERE ((day >= %(first_span)s AND day < %(cut_start)s)
               OR (day > %(cut_end)s AND day < %(spans_end)s)) {country}
    ),
    hi AS (
        SELECT * FROM {rollups_table} WHERE start = %(last_span)s {country}
    ),
    lo AS (
        SELECT * FROM {rollups_table} WHERE start = %(before)s {country}
    ),
    spans AS (
        -- the rollups are cumulative: the spans first..last are `last` minus `before`
        SELECT hi.jurisdiction, hi.kind, hi.category,
               hi.acknowledge_cdf AS hi_ack, lo.acknowledge_cdf AS lo_ack,
               hi.act_cdf AS hi_act, lo.act_cdf AS lo_act
        FROM hi LEFT JOIN lo USING (jurisdiction, kind, category)
    ),
    stored AS (
        -- counts and reasons: the days and `last` added, `before` and the days cut out
        -- subtracted
        SELECT 1 AS sign, jurisdiction, kind, category, {_STORED_COUNTS} FROM days
        UNION ALL
        SELECT 1, jurisdiction, kind, category, {_STORED_COUNTS} FROM hi
        UNION ALL
        SELECT -1, jurisdiction, kind, category, {_STORED_COUNTS} FROM lo
        UNION ALL
        SELECT -1, jurisdiction, kind, category, {_STORED_COUNTS} FROM removed
    ),
    counts AS (
        -- the reasons summed as the counts are, one column per code (see REASONS)
        SELECT jurisdiction, kind, category,
               {", ".join(f"SUM(sign * {c}) AS {c}" for c in COUNTS)},
               {_REASON_SUMS}
        FROM stored GROUP BY 1, 2, 3
        HAVING SUM(sign * received) > 0
    ),
    minus AS (
        SELECT jurisdiction, kind, category,
               array_agg(b ORDER BY b) FILTER (WHERE metric = 1) AS ack,
               array_agg(b ORDER BY b) FILTER (WHERE metric = 2) AS act
        FROM (
            SELECT jurisdiction, kind, category, 1 AS metric, transparency_seconds_bucket(s) AS b
            FROM removed, unnest(seconds_to_acknowledge) s
            UNION ALL
            SELECT jurisdiction, kind, category, 2, transparency_seconds_bucket(s)
            FROM removed, unnest(seconds_to_act) s
        ) x GROUP BY 1, 2, 3
    ),
    extra AS (
        SELECT jurisdiction, kind, category,
               array_agg(b ORDER BY b) FILTER (WHERE metric = 1) AS ack,
               array_agg(b ORDER BY b) FILTER (WHERE metric = 2) AS act
        FROM (
            SELECT jurisdiction, kind, category, 1 AS metric, transparency_seconds_bucket(s) AS b
            FROM days, unnest(seconds_to_acknowledge) s
            UNION ALL
            SELECT jurisdiction, kind, category, 2, transparency_seconds_bucket(s)
            FROM days, unnest(seconds_to_act) s
            UNION ALL
            SELECT jurisdiction, kind, category, 1, transparency_seconds_bucket(s)
            FROM live, unnest(ack::int[]) s
            UNION ALL
            SELECT jurisdiction, kind, category, 2, transparency_seconds_bucket(s)
            FROM live, unnest(act::int[]) s
        ) x GROUP BY 1, 2, 3
    ),
    keys AS (
        SELECT jurisdiction, kind, category FROM counts
        UNION SELECT jurisdiction, kind, category FROM live
    )
    SELECT k.jurisdiction, k.kind, k.category,
           c.received, c.fulfilled, c.rejected, c.withdrawn, c.open, c.accounts_affected,
           c.acted, c.within_deadline, c.breaches, c.trusted_flagger_notices,
           ROUND(transparency_histogram_median(m.hi_ack, m.lo_ack, x.ack, n.ack))::int,
           ROUND(transparency_histogram_median(m.hi_act, m.lo_act, x.act, n.act))::int,
           {", ".join(f"c.{c}" for c in _REASON_COLUMNS)}
    FROM keys k
    LEFT JOIN counts c USING (jurisdiction, kind, category)
    LEFT JOIN extra x USING (jurisdiction, kind, category)
    LEFT JOIN spans m USING (jurisdiction, kind, category)
    LEFT JOIN minus n USING (jurisdiction, kind, category)
    ORDER BY 1, 2, 3
    """  # noqa: S608 - fixed table names, values bound
    with _cursor() as cursor:
        cursor.execute(sql, params)
        rows = {row.key: row for row in _rows_with_reason_columns(cursor.fetchall())}
    # A group with live requests only has zero stored counts (NULLs above): add the live ones.
    merged = _add_counts(rows, live)
    return [merged[key] for key in sorted(merged)]


def rollup_build(*, span: date, now: datetime) -> Rollup:
    """Sum the published day rows of the span starting on `span` into a new rollup (the caller
    deleted any older one and holds the publishing lock): everything cumulative, the previous
    span's rollup (if any) + this span's days, one row per group seen so far in the chain."""
    previous = span_before(span)
    published = DailyReport.objects.filter(day__gte=span, day__lt=span_after(span))
    rollup = Rollup.objects.create(start=span, days=published.count(), built_at=now)
    days_table = DailyReportRow._meta.db_table
    rollups_table = RollupRow._meta.db_table
    sql = f"""
    INSERT INTO {rollups_table} (rollup_id, start, jurisdiction, kind, category, received,
        fulfilled, rejected, withdrawn, open, accounts_affected, acted, within_deadline,
        breaches, trusted_flagger_notices, rejected_by_reason, acknowledge_cdf, act_cdf)
    WITH days AS (
        SELECT * FROM {days_table} WHERE day >= %(span)s AND day < %(next)s
    ),
    counts AS (
        SELECT jurisdiction, kind, category,
               SUM(received) AS received, SUM(fulfilled) AS fulfilled, SUM(rejected) AS rejected,
               SUM(withdrawn) AS withdrawn, SUM(open) AS open,
               SUM(accounts_affected) AS accounts_affected, SUM(acted) AS acted,
               SUM(within_deadline) AS within_deadline, SUM(breaches) AS breaches,
               SUM(trusted_flagger_notices) AS trusted_flagger_notices
        FROM days GROUP BY 1, 2, 3
    ),
    prev AS (
        SELECT * FROM {rollups_table} WHERE start = %(previous)s
    ),
    reasons AS (
        SELECT jurisdiction, kind, category, jsonb_object_agg(reason, n) AS by_reason
        FROM (
            SELECT jurisdiction, kind, category, e.key AS reason, SUM(e.value::int) AS n
            FROM (
                SELECT jurisdiction, kind, category, rejected, rejected_by_reason FROM days
                UNION ALL
                SELECT jurisdiction, kind, category, rejected, rejected_by_reason FROM prev
            ) d, jsonb_each_text(rejected_by_reason) e
            WHERE rejected > 0
            GROUP BY 1, 2, 3, 4
        ) x GROUP BY 1, 2, 3
    ),
    hist AS (
        SELECT jurisdiction, kind, category, metric, transparency_seconds_bucket(s) AS b,
               COUNT(*) AS n
        FROM (
            SELECT jurisdiction, kind, category, 1 AS metric, s
            FROM days, unnest(seconds_to_acknowledge) s
            UNION ALL
            SELECT jurisdiction, kind, category, 2, s FROM days, unnest(seconds_to_act) s
        ) x GROUP BY 1, 2, 3, 4, 5
    ),
    groups AS (
        SELECT jurisdiction, kind, category FROM counts
        UNION SELECT jurisdiction, kind, category FROM prev
    ),
    hists AS (
        SELECT jurisdiction, kind, category, metric, array_agg(b ORDER BY b) AS buckets,
               array_agg(n::int ORDER BY b) AS counts
        FROM hist GROUP BY 1, 2, 3, 4
    ),
    arrays AS (
        SELECT g.jurisdiction, g.kind, g.category,
               transparency_cdf_add(p.acknowledge_cdf, h1.buckets, h1.counts) AS ack,
               transparency_cdf_add(p.act_cdf, h2.buckets, h2.counts) AS act
        FROM groups g
        LEFT JOIN prev p USING (jurisdiction, kind, category)
        LEFT JOIN hists h1 ON (h1.jurisdiction, h1.kind, h1.category, h1.metric)
                              = (g.jurisdiction, g.kind, g.category, 1)
        LEFT JOIN hists h2 ON (h2.jurisdiction, h2.kind, h2.category, h2.metric)
                              = (g.jurisdiction, g.kind, g.category, 2)
    )
    SELECT %(rollup)s, %(span)s, g.jurisdiction, g.kind, g.category,
           {", ".join(f"COALESCE(p.{c}, 0) + COALESCE(c.{c}, 0)" for c in _CUMULATIVE)},
           COALESCE(r.by_reason, '{{}}'::jsonb),
           COALESCE(a.ack, '{{}}'::int[]), COALESCE(a.act, '{{}}'::int[])
    FROM groups g
    LEFT JOIN prev p USING (jurisdiction, kind, category)
    LEFT JOIN counts c USING (jurisdiction, kind, category)
    LEFT JOIN reasons r USING (jurisdiction, kind, category)
    LEFT JOIN arrays a USING (jurisdiction, kind, category)
    """  # noqa: S608 - fixed table names, values bound
    params: dict[str, Any] = {
        "rollup": rollup.pk,
        "span": span,
        "next": span_after(span),
        "previous": previous,
    }
    with _cursor() as cursor:
        cursor.execute(sql, params)
    return rollup


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
    with _cursor() as cursor:
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
