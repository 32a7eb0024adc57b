"""Writes of the transparency app: generate and publish the daily reports (idempotently)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from liaison import signing
from liaison.audit import audit_head, canonical_json
from liaison.models import LegalRequest
from transparency.aggregation import (
    RowFigures,
    live_rows,
    rollup_build,
    span_after,
    span_before,
    span_of,
)
from transparency.models import DailyReport, DailyReportRow, Rollup, RollupRow

logger = logging.getLogger(__name__)

DOCUMENT_TYPE = "liaison-portal/transparency-daily-report"
DOCUMENT_VERSION = 1
# How far back a first run (or one after a long outage) catches up, at most.
CATCH_UP_MAX_DAYS = 400
# pg_advisory_xact_lock key: "publishing transparency reports" (one publisher at a time).
PUBLISH_LOCK_KEY = 0x5452_414E_5350_4152


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The half-open UTC range [00:00, next 00:00) of a day."""
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return start, start + timedelta(days=1)


def _share(within: int, acted: int) -> str | None:
    """A decimal string (no floats in signed JSON: their text form is not canonical)."""
    return None if acted == 0 else f"{within / acted:.4f}"


def row_document(row: RowFigures) -> dict[str, Any]:
    """The public form of one row, as the signed report carries it."""
    return {
        "jurisdiction": row.jurisdiction,
        "kind": row.kind,
        "category": row.category,
        "received": row.received,
        "fulfilled": row.fulfilled,
        "rejected": row.rejected,
        "rejected_by_reason": row.rejected_by_reason,
        "withdrawn": row.withdrawn,
        "open": row.open,
        "accounts_affected": row.accounts_affected,
        "median_seconds_to_acknowledge": row.median_seconds_to_acknowledge,
        "median_seconds_to_act": row.median_seconds_to_act,
        "acted": row.acted,
        "within_deadline": row.within_deadline,
        "share_within_deadline": _share(row.within_deadline, row.acted),
        "breaches": row.breaches,
        "trusted_flagger_notices": row.trusted_flagger_notices,
    }


def daily_report_generate(*, day: date, now: datetime | None = None) -> DailyReport:
    """Aggregate, sign and store the report of `day` (a UTC day that has ended), once.

    Idempotent: a day already published is returned as it is (reports are immutable). The
    document carries the audit chain's head read at generation, so that it anchors the log.
    """
    now = now or timezone.now()
    start, end = day_bounds(day)
    if end > now:
        raise ValueError(f"{day.isoformat()} has not ended yet (now {now.isoformat()}).")
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PUBLISH_LOCK_KEY])
        existing = DailyReport.objects.filter(day=day).first()
        if existing is not None:
            return existing
        # Everything committed so far is sealed first: the report anchors all of it.
        head = audit_head(seal=True)
        rows = live_rows([(start, end)])
        key = signing.public_key_info()
        document = {
            "type": DOCUMENT_TYPE,
            "version": DOCUMENT_VERSION,
            "day": day.isoformat(),
            "period_start": start.isoformat().replace("+00:00", "Z"),
            "period_end": end.isoformat().replace("+00:00", "Z"),
            "generated_at": now.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "audit_head": {"seq": head.seq, "hash": head.hash},
            "key_id": key.key_id,
            "algorithm": key.algorithm,
            "rows": [row_document(row) for row in rows],
        }
        text = canonical_json(document)
        report = DailyReport.objects.create(
            day=day,
            generated_at=now,
            audit_head_seq=head.seq,
            audit_head_hash=head.hash,
            key_id=key.key_id,
            signature=signing.sign(text),
            document=text.decode(),
        )
        DailyReportRow.objects.bulk_create(
            DailyReportRow(
                report=report,
                day=day,
                jurisdiction=row.jurisdiction,
                kind=row.kind,
                category=row.category,
                received=row.received,
                fulfilled=row.fulfilled,
                rejected=row.rejected,
                rejected_by_reason=row.rejected_by_reason,
                withdrawn=row.withdrawn,
                open=row.open,
                accounts_affected=row.accounts_affected,
                acted=row.acted,
                within_deadline=row.within_deadline,
                breaches=row.breaches,
                trusted_flagger_notices=row.trusted_flagger_notices,
                seconds_to_acknowledge=row.seconds_to_acknowledge,
                seconds_to_act=row.seconds_to_act,
            )
            for row in rows
        )
        rollups_refresh(day=day, now=now)
    logger.info("transparency: published the report of %s (%d rows)", day, len(rows))
    return report


def rollups_refresh(*, day: date, now: datetime) -> list[date]:
    """Keep the rollups equal to the sums of the published days, after `day` was published
    (inside its transaction, under the publishing lock); the spans (re)built.

    A span (days 1-8, 9-15, 16-23, 24 to the month's end) is built once it has ended (its last
    day, or a later one, is published); the rollups form one chain of consecutive spans from
    the first span with a published day, because each carries cumulative histograms. A day
    published late into a span already summarised rebuilds that span and every later one.
    """
    span = span_of(day)
    ended_through = span if span_after(span) == day + timedelta(days=1) else span_before(span)
    last = Rollup.objects.order_by("-start").values_list("start", flat=True).first()
    if last is not None and span <= last:
        first = span
    elif last is not None:
        first = span_after(last)
    else:
        oldest = DailyReport.objects.order_by("day").values_list("day", flat=True).first()
        first = span_of(oldest or day)
    through = max(last, ended_through) if last is not None else ended_through
    built: list[date] = []
    if first > through:
        return built
    RollupRow.objects.filter(start__gte=first).delete()  # no cascade: one DELETE
    Rollup.objects.filter(start__gte=first).delete()
    while first <= through:
        rollup_build(span=first, now=now)
        built.append(first)
        first = span_after(first)
    return built


def daily_reports_catch_up(*, now: datetime | None = None) -> list[date]:
    """Publish every ended day not published yet, oldest first; the days it published.

    Starts after the last published day, or at the first request's day on a first run (at
    most CATCH_UP_MAX_DAYS back). Running it twice publishes nothing the second time.
    """
    now = now or timezone.now()
    yesterday = now.astimezone(UTC).date() - timedelta(days=1)
    last = DailyReport.objects.order_by("-day").values_list("day", flat=True).first()
    if last is not None:
        first = last + timedelta(days=1)
    else:
        oldest = LegalRequest.objects.order_by("submitted_at").values_list(
            "submitted_at", flat=True
        )[:1]
        first = oldest[0].astimezone(UTC).date() if oldest else yesterday
    first = max(first, yesterday - timedelta(days=CATCH_UP_MAX_DAYS - 1))
    published: list[date] = []
    day = first
    while day <= yesterday:
        if not DailyReport.objects.filter(day=day).exists():
            daily_report_generate(day=day, now=now)
            published.append(day)
        day += timedelta(days=1)
    return published
