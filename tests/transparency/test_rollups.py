"""Rollups per span of a month (days 1-8, 9-15, 16-23, 24 to the end): a period that covers a
whole month reads them (two cumulative histograms per group instead of every sample), with
counts equal to the day rows' and medians within 1.5 % of the exact ones, and at most 4 day
rows at each end; a period without a whole month stays exact; a day published late rebuilds."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection

from liaison.models import LegalRequest, RejectionReason, RequestStatus
from switchboard.models import Team, Ticket
from tests.factories import LegalRequestFactory, OrganizationFactory
from transparency.aggregation import (
    COUNTS,
    RowFigures,
    _exact_period_rows,
    period_rows,
    rollup_spans_of,
    span_after,
    span_before,
    span_of,
)
from transparency.models import Rollup, RollupRow
from transparency.selectors import transparency_report_get
from transparency.services import daily_report_generate, daily_reports_catch_up

FIRST = datetime(2026, 9, 28, tzinfo=UTC)
LAST_DAY = date(2026, 12, 2)  # published; Dec 3 is today in these tests


def _requests(
    rng: random.Random,
    *,
    start: datetime,
    days: int,
    per_day: int,
    reasons: tuple[str, ...] = ("DISPROPORTIONATE",),
) -> None:
    """Requests over `days` days from `start`: fulfilled or rejected (for each of `reasons` in
    turn, "" for none) after 5 s .. 20 days (a quarter of them under 100 s), a ticket
    acknowledged after 1 s .. 3 h for half of them."""
    rejections = itertools.count()
    organization = OrganizationFactory()
    team = Team.objects.create(name="Rollup desk", desk_name="Rollup desk")
    for day in range(days):
        for _ in range(per_day):
            submitted = start + timedelta(days=day, seconds=rng.randrange(86400))
            seconds = (
                rng.randrange(5, 100) if rng.random() < 0.25 else rng.randrange(100, 20 * 86400)
            )
            acted = submitted + timedelta(seconds=seconds)
            status = RequestStatus.REJECTED if rng.random() < 0.2 else RequestStatus.FULFILLED
            legal_request = LegalRequestFactory(
                organization=organization,
                submitted_at=submitted,
                jurisdiction=rng.choice(["DE", "FR"]),
                status=status,
                fulfilled_at=acted if status == RequestStatus.FULFILLED else None,
                decided_at=acted,
                rejection_reason=(
                    reasons[next(rejections) % len(reasons)]
                    if status == RequestStatus.REJECTED
                    else ""
                ),
                targets=[],
            )
            if rng.random() < 0.5:
                Ticket.objects.create(
                    legal_request=legal_request,
                    team=team,
                    priority=2,
                    opened_at=submitted,
                    clock=timedelta(days=1),
                    due_at=submitted + timedelta(days=1),
                    state="ACKNOWLEDGED",
                    acknowledged_at=submitted + timedelta(seconds=rng.randrange(1, 3 * 3600)),
                )


def _exact(first_day: date, last_day: date) -> dict[tuple[str, str, str], tuple[Any, ...]]:
    """Counts and exact medians straight from the requests (as the daily job sees them)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT lr.jurisdiction, lr.kind, lr.category, COUNT(*),
                   COUNT(*) FILTER (WHERE lr.status = 'REJECTED'),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY FLOOR(EXTRACT(EPOCH FROM
                       t.acknowledged_at - lr.submitted_at))),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY FLOOR(EXTRACT(EPOCH FROM
                       COALESCE(lr.fulfilled_at, lr.decided_at) - lr.submitted_at)))
            FROM liaison_legalrequest lr
            LEFT JOIN hotline_ticket t ON t.legal_request_id = lr.id
            WHERE lr.submitted_at >= %s AND lr.submitted_at < %s
            GROUP BY 1, 2, 3
            """,
            [
                datetime.combine(first_day, datetime.min.time(), tzinfo=UTC),
                datetime.combine(last_day, datetime.min.time(), tzinfo=UTC) + timedelta(days=1),
            ],
        )
        return {(j, k, c): rest for j, k, c, *rest in cursor.fetchall()}


def _assert_close(row: RowFigures, exact: tuple[Any, ...], *, exact_medians: bool) -> None:
    received, rejected, median_ack, median_act = exact
    assert (row.received, row.rejected) == (received, rejected)
    assert row.rejected_by_reason == ({"DISPROPORTIONATE": rejected} if rejected else {})
    for got, want in ((row.median_seconds_to_acknowledge, median_ack),
                      (row.median_seconds_to_act, median_act)):  # fmt: skip
        assert want is not None
        assert got is not None
        if exact_medians or want < 100:
            assert got == round(want), (got, want)
        else:
            assert abs(got - want) <= 0.015 * want + 0.5, (got, want)


@pytest.mark.django_db
def test_whole_months_are_read_from_rollups_with_medians_within_the_bound() -> None:
    rng = random.Random(11)
    _requests(rng, start=FIRST, days=67, per_day=6)  # Sep 28 .. Dec 3
    published = daily_reports_catch_up(now=datetime(2026, 12, 3, 0, 10, tzinfo=UTC))
    assert published[0] == date(2026, 9, 28)
    assert published[-1] == LAST_DAY
    # The chain starts with the first published span; December's first has not ended.
    assert list(Rollup.objects.order_by("start").values_list("start", "days")) == [
        (date(2026, 9, 24), 3),
        (date(2026, 10, 1), 8),
        (date(2026, 10, 9), 7),
        (date(2026, 10, 16), 8),
        (date(2026, 10, 24), 8),
        (date(2026, 11, 1), 8),
        (date(2026, 11, 9), 7),
        (date(2026, 11, 16), 8),
        (date(2026, 11, 24), 7),
    ]
    spans = rollup_spans_of(first_day=date(2026, 9, 29), last_day=LAST_DAY)
    assert spans is not None
    assert (spans.first, spans.last, spans.before) == (
        date(2026, 10, 1),
        date(2026, 11, 24),
        date(2026, 9, 24),
    )

    now = datetime(2026, 12, 3, 23, 0, tzinfo=UTC)
    # Whole October and November from rollups, Sep 29-30 and Dec 1-2 from day rows, Dec 3
    # live: counts exact, medians within 1.5 % (exact below 100 s).
    report = transparency_report_get(
        period_start=date(2026, 9, 29), period_end=date(2026, 12, 3), now=now
    )
    exact = _exact(date(2026, 9, 29), date(2026, 12, 3))
    assert {row.key for row in report.rows} == set(exact)
    for row in report.rows:
        _assert_close(row, exact[row.key], exact_medians=False)

    # From the chain's start (no month to subtract), and one country only.
    report = transparency_report_get(
        period_start=date(2026, 9, 1), period_end=date(2026, 11, 30), jurisdiction="FR", now=now
    )
    exact = _exact(date(2026, 9, 1), date(2026, 11, 30))
    assert {row.key for row in report.rows} == {key for key in exact if key[0] == "FR"}
    for row in report.rows:
        _assert_close(row, exact[row.key], exact_medians=False)

    # A period cutting into a rollup span: the span's days outside it are subtracted.
    spans = rollup_spans_of(first_day=date(2026, 9, 2), last_day=date(2026, 11, 20))
    assert spans is not None
    assert (spans.first, spans.last, spans.before, spans.cut_start, spans.cut_end) == (
        date(2026, 9, 24),
        date(2026, 11, 16),
        None,
        None,
        date(2026, 11, 20),
    )
    # Two partial months and no whole one: day rows.
    assert rollup_spans_of(first_day=date(2026, 10, 2), last_day=date(2026, 11, 20)) is None
    for first_day, last_day in (
        (date(2026, 9, 2), date(2026, 11, 20)),
        (date(2026, 10, 2), date(2026, 12, 2)),  # Oct 1-8 minus the 1st, .., Dec day rows
        (date(2026, 9, 29), date(2026, 11, 15)),  # Oct 1 .. Nov 9-15; Sep 29-30 day rows
        (date(2026, 10, 1), date(2026, 11, 29)),
    ):
        report = transparency_report_get(period_start=first_day, period_end=last_day, now=now)
        exact = _exact(first_day, last_day)
        assert {row.key for row in report.rows} == set(exact)
        for row in report.rows:
            _assert_close(row, exact[row.key], exact_medians=False)

    # No whole month: the day rows, exact medians.
    assert rollup_spans_of(first_day=date(2026, 10, 2), last_day=date(2026, 11, 30)) is not None
    assert rollup_spans_of(first_day=date(2026, 10, 5), last_day=date(2026, 11, 29)) is None
    report = transparency_report_get(
        period_start=date(2026, 10, 5), period_end=date(2026, 11, 29), now=now
    )
    exact = _exact(date(2026, 10, 5), date(2026, 11, 29))
    for row in report.rows:
        _assert_close(row, exact[row.key], exact_medians=True)


@pytest.mark.django_db
def test_a_day_published_late_rebuilds_its_span_and_the_later_ones() -> None:
    rng = random.Random(12)
    _requests(rng, start=datetime(2026, 10, 1, tzinfo=UTC), days=61, per_day=2)  # Oct, Nov
    now = datetime(2026, 12, 1, 0, 10, tzinfo=UTC)
    day = date(2026, 10, 1)
    while day <= date(2026, 11, 30):
        if day != date(2026, 10, 15):
            daily_report_generate(day=day, now=now)
        day += timedelta(days=1)
    spans = [date(2026, month, day) for month in (10, 11) for day in (1, 9, 16, 24)]
    assert list(Rollup.objects.order_by("start").values_list("start", "days")) == list(
        zip(spans, [8, 6, 8, 8, 8, 7, 8, 7], strict=True)
    )
    # The unpublished day is live, the rollup holds the others: nothing counted twice.
    report = transparency_report_get(
        period_start=date(2026, 10, 1), period_end=date(2026, 11, 30), now=now
    )
    exact = _exact(date(2026, 10, 1), date(2026, 11, 30))
    assert sum(r.received for r in report.rows) == sum(e[0] for e in exact.values()) == 122

    daily_report_generate(day=date(2026, 10, 15), now=now)
    assert list(Rollup.objects.order_by("start").values_list("start", "days")) == list(
        zip(spans, [8, 7, 8, 8, 8, 7, 8, 7], strict=True)
    )
    # Cumulative: November's last span counts every earlier span's requests too.
    through_november = sum(
        RollupRow.objects.filter(start=date(2026, 11, 24)).values_list("received", flat=True)
    )
    assert through_november == LegalRequest.objects.count() == 122
    report = transparency_report_get(
        period_start=date(2026, 10, 1), period_end=date(2026, 11, 30), now=now
    )
    for row in report.rows:
        _assert_close(row, exact[row.key], exact_medians=False)


@pytest.mark.django_db
def test_the_histogram_median_is_within_the_bound_of_percentile_cont() -> None:
    """The SQL functions alone, on samples from 0 s to a year: cumulative arrays built from
    two sets (subtracted) plus loose samples, against percentile_cont of the same samples."""
    rng = random.Random(13)
    with connection.cursor() as cursor:
        for size in (1, 2, 3, 10, 101, 1000):
            kept = [int(rng.lognormvariate(8, 3)) % (366 * 86400) for _ in range(size)]
            dropped = [rng.randrange(0, 10**6) for _ in range(rng.randrange(0, 50))]
            removed = [rng.randrange(0, 10**6) for _ in range(rng.randrange(0, 20))]
            loose = sorted(rng.randrange(0, 10**5) for _ in range(rng.randrange(0, 5)))
            cursor.execute(
                """
                WITH b AS (
                    SELECT transparency_seconds_bucket(s) AS b, w FROM (
                        SELECT unnest(%(kept)s::int[]) AS s, 1 AS w
                        UNION ALL SELECT unnest(%(dropped)s::int[]), 0
                        UNION ALL SELECT unnest(%(removed)s::int[]), 2
                    ) x
                ),
                cdf AS (
                    SELECT array_agg((SELECT COUNT(*) FROM b WHERE b.b <= i)::int ORDER BY i)
                               AS hi,
                           array_agg((SELECT COUNT(*) FROM b WHERE b.b <= i AND w = 0)::int
                                     ORDER BY i) AS lo
                    FROM generate_series(0, (SELECT COALESCE(MAX(b), 0) FROM b)) i
                )
                SELECT transparency_histogram_median(
                           hi, lo,
                           ARRAY(SELECT transparency_seconds_bucket(s)
                                 FROM unnest(%(loose)s::int[]) s ORDER BY 1),
                           ARRAY(SELECT transparency_seconds_bucket(s)
                                 FROM unnest(%(removed)s::int[]) s ORDER BY 1)),
                       (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s)
                        FROM unnest(%(kept)s::int[] || %(loose)s::int[]) s)
                FROM cdf
                """,
                {"kept": kept, "dropped": dropped, "removed": removed, "loose": loose},
            )
            got, want = cursor.fetchone()
            assert abs(got - want) <= 0.015 * want, (size, got, want)
        cursor.execute("SELECT transparency_histogram_median('{}', NULL, '{}', NULL)")
        assert cursor.fetchone() == (None,)


@pytest.mark.django_db
def test_a_period_from_mid_month_to_mid_month_matches_the_day_path() -> None:
    """The rollup path (a span cut at each end: read as its rollup minus the days outside the
    period, or its days inside read from day rows) against the day path over the same
    published days: every count and rejection reason (every code, and none: OTHER) equal,
    medians within 1.5 % (exact below 100 s)."""
    rng = random.Random(14)
    reasons = ("", *RejectionReason.values)
    _requests(
        rng, start=datetime(2026, 8, 25, tzinfo=UTC), days=100, per_day=4, reasons=reasons
    )  # .. Dec 2
    daily_reports_catch_up(now=datetime(2026, 12, 3, 0, 10, tzinfo=UTC))
    for first_day, last_day, read in (
        # Sep 9-15 minus its first 3 days .. Nov 9-15 minus its last day
        (date(2026, 9, 12), date(2026, 11, 14), (date(2026, 9, 9), date(2026, 11, 9))),
        # Sep 20-23 from day rows, Sep 24 .. Nov 9-15, Nov 16-17 from day rows
        (date(2026, 9, 20), date(2026, 11, 17), (date(2026, 9, 24), date(2026, 11, 9))),
    ):
        spans = rollup_spans_of(first_day=first_day, last_day=last_day)
        assert spans is not None
        assert (spans.first, spans.last) == read
        rollup = {
            row.key: row
            for row in period_rows(first_day=first_day, last_day=last_day, live_ranges=[])
        }
        days = {
            row.key: row
            for row in _exact_period_rows(first_day=first_day, last_day=last_day, live_ranges=[])
        }
        assert set(rollup) == set(days)
        assert {reason for row in days.values() for reason in row.rejected_by_reason} == set(
            RejectionReason.values
        )
        for key, want in days.items():
            got = rollup[key]
            assert [getattr(got, name) for name in COUNTS] == [
                getattr(want, name) for name in COUNTS
            ]
            assert got.rejected_by_reason == want.rejected_by_reason
            for got_median, want_median in (
                (got.median_seconds_to_acknowledge, want.median_seconds_to_acknowledge),
                (got.median_seconds_to_act, want.median_seconds_to_act),
            ):
                assert (got_median is None) == (want_median is None)
                if want_median is None or got_median is None:
                    continue
                if want_median < 100:
                    assert got_median == want_median
                else:
                    assert abs(got_median - want_median) <= 0.015 * want_median + 0.5


def test_a_month_has_four_spans_of_at_most_eight_days() -> None:
    for day in range(1, 32):
        assert span_of(date(2026, 12, day)) == date(
            2026, 12, max(s for s in (1, 9, 16, 24) if s <= day)
        )
    assert [span_of(date(2027, 2, 28)), span_after(date(2027, 2, 24))] == [
        date(2027, 2, 24),
        date(2027, 3, 1),
    ]
    assert span_before(date(2027, 1, 1)) == date(2026, 12, 24)
    span, lengths = date(2024, 1, 1), set()
    while span < date(2026, 1, 1):  # a leap year and a common one
        lengths.add((span_after(span) - span).days)
        assert span_before(span_after(span)) == span
        span = span_after(span)
    assert lengths == {5, 6, 7, 8}  # Feb 24-28 is the shortest


@pytest.mark.django_db
def test_wherever_a_period_starts_it_reads_at_most_four_day_rows_there() -> None:
    """The start side of every period from Sep 24 .. Oct 31 to Dec 2: at most 4 days are added
    from day rows (before the first span) or subtracted (cut out of it)."""
    rng = random.Random(15)
    _requests(rng, start=FIRST, days=66, per_day=1)
    daily_reports_catch_up(now=datetime(2026, 12, 3, 0, 10, tzinfo=UTC))
    first_day = date(2026, 9, 24)
    while first_day <= date(2026, 10, 31):
        spans = rollup_spans_of(first_day=first_day, last_day=LAST_DAY)
        assert spans is not None
        read = (
            (spans.cut_start - spans.first).days
            if spans.cut_start
            else (spans.first - first_day).days
        )
        assert 0 <= read <= 4, (first_day, spans)
        first_day += timedelta(days=1)
