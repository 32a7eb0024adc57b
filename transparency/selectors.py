"""Reads of the transparency app: the period report (stored days + live ones), the published
reports and their audit anchors. Nothing here names a request, a reference, a target or an
organization: only counts, per jurisdiction x kind x category."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.actors import Actor
from core.errors import NotFound
from liaison import instruments
from liaison.audit import AuditAnchor
from liaison.models import Organization
from transparency.aggregation import FlaggerFigures, RowFigures, flagger_rows, period_rows
from transparency.models import DailyReport
from transparency.services import day_bounds

MAX_PERIOD_DAYS = 366
CACHE_PREFIX = "transparency:report:v1"


@dataclass(frozen=True)
class PeriodReport:
    """The figures of a period: UTC days, both inclusive; outcomes as of `generated_at`."""

    period_start: date
    period_end: date
    generated_at: datetime
    rows: list[RowFigures]


def published_audit_anchors() -> Iterator[AuditAnchor]:
    """Every audit head a published report carries (registered with liaison's audit_verify)."""
    for day, seq, head in DailyReport.objects.order_by("day").values_list(
        "day", "audit_head_seq", "audit_head_hash"
    ):
        yield AuditAnchor(seq=seq, hash=head, label=f"the transparency report of {day}")


def period_validate(
    *, period_start: date, period_end: date, jurisdiction: str | None, now: datetime
) -> str | None:
    """Refuse a bad period with a field-level ValidationError; the cleaned jurisdiction."""
    today = now.astimezone(UTC).date()
    if period_end < period_start:
        raise ValidationError(
            {"periodEnd": ValidationError("periodEnd is before periodStart.", code="invalid")}
        )
    if (period_end - period_start).days + 1 > MAX_PERIOD_DAYS:
        raise ValidationError(
            {
                "periodEnd": ValidationError(
                    f"A period is at most {MAX_PERIOD_DAYS} days (both ends included).",
                    code="period_too_long",
                )
            }
        )
    if period_start > today:
        raise ValidationError(
            {"periodStart": ValidationError("periodStart is in the future.", code="future")}
        )
    if jurisdiction in (None, ""):
        return None
    return instruments.validate_country(jurisdiction, field="jurisdiction")


def _live_ranges(
    first_day: date, last_day: date, *, published: set[date], now: datetime
) -> list[tuple[datetime, datetime]]:
    """The days of the period not published yet (up to today), as UTC ranges; adjacent days
    merged into one range."""
    ranges: list[tuple[datetime, datetime]] = []
    day = first_day
    today = now.astimezone(UTC).date()
    while day <= min(last_day, today):
        if day not in published:
            start, end = day_bounds(day)
            if ranges and ranges[-1][1] == start:
                ranges[-1] = (ranges[-1][0], end)
            else:
                ranges.append((start, end))
        day += timedelta(days=1)
    return ranges


def live_ranges_of(
    *, period_start: date, period_end: date, now: datetime
) -> list[tuple[datetime, datetime]]:
    """The days of the period not published yet (aggregated live), as UTC ranges."""
    published = set(
        DailyReport.objects.filter(day__range=(period_start, period_end)).values_list(
            "day", flat=True
        )
    )
    return _live_ranges(period_start, period_end, published=published, now=now)


def transparency_report_get(
    *,
    period_start: date,
    period_end: date,
    jurisdiction: str | None = None,
    now: datetime | None = None,
) -> PeriodReport:
    """Sum the published days of the period; the days not published yet (today, at least)
    are aggregated live, and the whole answer is cached for at most a minute."""
    now = now or timezone.now()
    country = period_validate(
        period_start=period_start, period_end=period_end, jurisdiction=jurisdiction, now=now
    )
    ttl = settings.TRANSPARENCY_LIVE_CACHE_SECONDS
    # The key changes every `ttl` seconds of `now` too: an answer is never older than that.
    bucket = int(now.timestamp() // ttl) if ttl else 0
    key = f"{CACHE_PREFIX}:{period_start}:{period_end}:{country or '*'}:{bucket}"
    if ttl:
        cached = cache.get(key)
        if cached is not None:
            return _report_from_cache(cached)
    live = live_ranges_of(period_start=period_start, period_end=period_end, now=now)
    rows = period_rows(
        first_day=period_start, last_day=period_end, live_ranges=live, jurisdiction=country
    )
    if live:
        generated_at = now
    else:
        latest = (
            DailyReport.objects.filter(day__range=(period_start, period_end))
            .order_by("-generated_at")
            .values_list("generated_at", flat=True)
            .first()
        )
        generated_at = latest or now
    report = PeriodReport(
        period_start=period_start, period_end=period_end, generated_at=generated_at, rows=rows
    )
    if ttl:
        cache.set(key, _report_to_cache(report), timeout=ttl)
    return report


def _report_to_cache(report: PeriodReport) -> str:
    return json.dumps(
        {
            "period_start": report.period_start.isoformat(),
            "period_end": report.period_end.isoformat(),
            "generated_at": report.generated_at.isoformat(),
            "rows": [
                {k: v for k, v in vars(row).items() if not k.startswith("seconds_")}
                for row in report.rows
            ],
        }
    )


def _report_from_cache(text: str) -> PeriodReport:
    data: dict[str, Any] = json.loads(text)
    return PeriodReport(
        period_start=date.fromisoformat(data["period_start"]),
        period_end=date.fromisoformat(data["period_end"]),
        generated_at=datetime.fromisoformat(data["generated_at"]),
        rows=[RowFigures(**row) for row in data["rows"]],
    )


def daily_report_get(day: date) -> DailyReport:
    """A published day's report, or NotFound."""
    report = DailyReport.objects.filter(day=day).first()
    if report is None:
        raise NotFound(f"No report has been published for {day.isoformat()}.")
    return report


def report_document(report: DailyReport) -> dict[str, Any]:
    """The signed document of a stored report, parsed (re-serializing it canonically gives
    back exactly the signed bytes)."""
    document: dict[str, Any] = json.loads(report.document)
    return document


def published_days(limit: int = 60) -> list[date]:
    """The most recent published days, newest first (for the page's download links)."""
    return list(DailyReport.objects.order_by("-day").values_list("day", flat=True)[:limit])


def trusted_flagger_statistics(
    *,
    actor: Actor,
    period_start: date,
    period_end: date,
    now: datetime | None = None,
) -> list[FlaggerFigures]:
    """The actor's own organization's notices, per month and category (for its members); no
    other organization's notice is ever counted in. Staff see every flagger in admin."""
    now = now or timezone.now()
    period_validate(period_start=period_start, period_end=period_end, jurisdiction=None, now=now)
    if actor.organization_id is None:
        return []
    start, _ = day_bounds(period_start)
    _, end = day_bounds(period_end)
    return flagger_rows(start=start, end=end, organization_id=actor.organization_id)


@dataclass(frozen=True)
class FlaggerOverview:
    """One trusted flagger over a period, for staff: its notices sent and actioned, and the
    median time from receipt to action."""

    organization_id: int
    name: str
    country: str
    sent: int
    actioned: int
    median_seconds_to_action: int | None


def trusted_flaggers_overview(*, period_start: date, period_end: date) -> list[FlaggerOverview]:
    """Every NGO's notices in the period (staff only: admin checks the permission)."""
    start, _ = day_bounds(period_start)
    _, end = day_bounds(period_end)
    rows = flagger_rows(start=start, end=end, organization_id=None, detail=False)
    organizations = {
        pk: (name, country)
        for pk, name, country in Organization.objects.filter(
            pk__in={r.organization_id for r in rows}
        ).values_list("pk", "name", "country")
    }
    overview = [
        FlaggerOverview(
            organization_id=r.organization_id,
            name=organizations[r.organization_id][0],
            country=organizations[r.organization_id][1],
            sent=r.sent,
            actioned=r.actioned,
            median_seconds_to_action=r.median_seconds_to_action,
        )
        for r in rows
    ]
    return sorted(overview, key=lambda o: o.name)
