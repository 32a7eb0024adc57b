"""Public pages and downloads of the transparency app (thin: selectors, exports, charts)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_safe

from core.durations import humanize_duration
from liaison import instruments
from liaison.models import DataCategory, RequestKind, RequestStatus
from switchboard.models import LegalClock
from transparency import charts, exports, selectors
from transparency.aggregation import bucket_counts

SIGNING_KEY_URL = "/.well-known/liaison-signing-key"
DISCLOSURE_KINDS = (RequestKind.DATA_DISCLOSURE, RequestKind.EMERGENCY_DISCLOSURE)


@require_safe
def daily_report_json(request: HttpRequest, day: str) -> JsonResponse:
    """GET /transparency/reports/<YYYY-MM-DD>.json: the signed report of a published day."""
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        raise Http404("Not a date.") from None
    try:
        report = selectors.daily_report_get(parsed)
    except selectors.NotFound as error:
        raise Http404(str(error)) from None
    response = JsonResponse(
        {
            "report": selectors.report_document(report),
            "signature": report.signature,
            "algorithm": "Ed25519",
            "key_id": report.key_id,
            "public_key_url": SIGNING_KEY_URL,
            "signed_content": (
                "canonical JSON of `report`: sort_keys, separators (',', ':'), "
                "ensure_ascii=False, UTF-8"
            ),
        },
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = "public, max-age=86400, immutable"
    return response


class PeriodForm(forms.Form):
    """A period of UTC days (both inclusive, at most 366) and an optional country."""

    periodStart = forms.DateField(label="From (YYYY-MM-DD)")
    periodEnd = forms.DateField(label="To (YYYY-MM-DD)")
    country = forms.ChoiceField(label="Country", required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        country = self.fields["country"]
        assert isinstance(country, forms.ChoiceField)  # noqa: S101 - for the type checker
        country.choices = [("", "All countries"), *instruments.country_choices()]

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("periodStart"), cleaned.get("periodEnd")
        if isinstance(start, date) and isinstance(end, date):
            try:
                selectors.period_validate(
                    period_start=start, period_end=end, jurisdiction=None, now=timezone.now()
                )
            except ValidationError as error:
                for field, errors in error.error_dict.items():
                    for item in errors:
                        self.add_error(field, item)
        return cleaned


def _period_errors(form: PeriodForm) -> HttpResponse:
    lines = [
        f"{field}: {' '.join(str(e) for e in errors)}" for field, errors in form.errors.items()
    ]
    return HttpResponse(
        "Bad period.\n" + "\n".join(lines) + "\n", status=400, content_type="text/plain"
    )


@require_safe
def dsa_orders_csv_view(request: HttpRequest) -> HttpResponse:
    """GET /transparency/exports/dsa-orders.csv?periodStart=&periodEnd=: DSA Art. 15(1)(a)."""
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return _period_errors(form)
    start, end = form.cleaned_data["periodStart"], form.cleaned_data["periodEnd"]
    response = HttpResponse(
        exports.dsa_orders_csv(period_start=start, period_end=end),
        content_type="text/csv; charset=utf-8; header=present",
    )
    response["Content-Disposition"] = f'attachment; filename="dsa-orders-{start}-{end}.csv"'
    return response


def _tco_year(year: int) -> int:
    if not 2000 <= year <= timezone.now().year:
        raise Http404("No report for that year.")
    return year


@require_safe
def tco_report_json(request: HttpRequest, year: int) -> JsonResponse:
    """GET /transparency/exports/tco-<year>.json: the TCO Art. 7 annual report."""
    return JsonResponse(exports.tco_annual_report(year=_tco_year(year)))


@require_safe
def tco_report_csv(request: HttpRequest, year: int) -> HttpResponse:
    """GET /transparency/exports/tco-<year>.csv: the same report as measure/value rows."""
    report = exports.tco_annual_report(year=_tco_year(year))
    response = HttpResponse(
        exports.tco_annual_csv(report), content_type="text/csv; charset=utf-8; header=present"
    )
    response["Content-Disposition"] = f'attachment; filename="tco-{year}.csv"'
    return response


def _quarter_label(day: date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def _deadlines() -> dict[str, int]:
    """Each kind's default legal clock (its category-less policy), in seconds."""
    return {
        clock.kind: int(clock.duration.total_seconds())
        for clock in LegalClock.objects.filter(category="")
    }


@require_safe
def transparency_page(request: HttpRequest) -> HttpResponse:
    """The public transparency page: charts (server-side SVG) with tables, filters, downloads."""
    now = timezone.now()
    today = now.astimezone(UTC).date()
    initial = {"periodStart": today - timedelta(days=364), "periodEnd": today, "country": ""}
    form = PeriodForm(request.GET or initial)
    if not form.is_valid():
        refused: dict[str, object] = {
            "form": form,
            "report": None,
            "downloads": _downloads(today, initial),
        }
        return render(request, "transparency/page.html", refused, status=400)
    start, end = form.cleaned_data["periodStart"], form.cleaned_data["periodEnd"]
    country = form.cleaned_data["country"] or None
    report = selectors.transparency_report_get(
        period_start=start, period_end=end, jurisdiction=country, now=now
    )
    live = selectors.live_ranges_of(period_start=start, period_end=end, now=now)
    months = bucket_counts(
        first_day=start, last_day=end, live_ranges=live, bucket="month", jurisdiction=country
    )
    quarters = bucket_counts(
        first_day=start, last_day=end, live_ranges=live, bucket="quarter", jurisdiction=country
    )
    context = {
        "form": form,
        "report": report,
        "period": {"start": start, "end": end, "country": country},
        **_overview(report.rows),
        **_monthly(months),
        **_by_kind(report.rows),
        "countries": _by_country(report.rows),
        "quarters": _platform_view(quarters),
        "downloads": _downloads(today, {"periodStart": start, "periodEnd": end}),
    }
    return render(request, "transparency/page.html", context)  # type: ignore[arg-type]


def _both(draw: Callable[..., SafeString], **figures: Any) -> dict[str, SafeString]:
    """The chart for wide and for narrow screens."""
    return {
        "wide": draw(**figures, width=charts.WIDE),
        "narrow": draw(**figures, width=charts.NARROW),
    }


def _overview(rows: list) -> dict[str, object]:
    totals = {
        name: sum(getattr(r, name) for r in rows)
        for name in (
            "received",
            "fulfilled",
            "rejected",
            "withdrawn",
            "open",
            "accounts_affected",
            "breaches",
            "trusted_flagger_notices",
        )
    }
    outcomes = [
        (RequestStatus.FULFILLED.label + " (or removed)", totals["fulfilled"]),
        (RequestStatus.REJECTED.label, totals["rejected"]),
        (RequestStatus.WITHDRAWN.label, totals["withdrawn"]),
        ("Still open", totals["open"]),
    ]
    chart = _both(
        charts.horizontal_bars,
        title="Outcome of the requests received in the period",
        labels=[label for label, _ in outcomes],
        values=[value for _, value in outcomes],
    )
    return {"totals": totals, "outcomes": outcomes, "outcomes_chart": chart}


def _monthly(months: list) -> dict[str, object]:
    labels = sorted({m.bucket for m in months})
    kinds = [k for k in RequestKind if any(m.kind == k for m in months)]
    table: defaultdict[tuple[date, str], int] = defaultdict(int)
    for m in months:
        table[(m.bucket, m.kind)] += m.received
    series = [charts.Series(k.label, [table[(b, k.value)] for b in labels]) for k in kinds]
    chart = _both(
        charts.stacked_bars,
        title="Requests received per month, by kind",
        categories=[b.strftime("%b %y") for b in labels],
        series=series,
    )
    rows = [
        {"month": b.strftime("%B %Y"), "counts": [table[(b, k.value)] for k in kinds]}
        for b in labels
    ]
    return {"monthly_chart": chart, "monthly_kinds": [k.label for k in kinds], "monthly": rows}


def _weighted_median(rows: list, attribute: str) -> int | None:
    """The kind's median over its rows, weighted by each row's count: an estimate across
    categories and countries (each row's own median is exact, or within 1.5 % for a period with
    whole months: transparency.aggregation)."""
    pairs = sorted(
        (getattr(r, attribute), r.acted if attribute == "median_seconds_to_act" else r.received)
        for r in rows
        if getattr(r, attribute) is not None
    )
    total = sum(weight for _, weight in pairs)
    running = 0
    for value, weight in pairs:
        running += weight
        if running * 2 >= total:
            return int(value)
    return None


def _by_kind(rows: list) -> dict[str, object]:
    deadlines = _deadlines()
    kinds = []
    for kind in RequestKind:
        of_kind = [r for r in rows if r.kind == kind.value]
        if not of_kind:
            continue
        acted = sum(r.acted for r in of_kind)
        within = sum(r.within_deadline for r in of_kind)
        kinds.append(
            {
                "label": kind.label,
                "received": sum(r.received for r in of_kind),
                "ack": _weighted_median(of_kind, "median_seconds_to_acknowledge"),
                "act": _weighted_median(of_kind, "median_seconds_to_act"),
                "deadline": deadlines.get(kind.value),
                "share": None if acted == 0 else round(100 * within / acted),
                "breaches": sum(r.breaches for r in of_kind),
            }
        )
    for row in kinds:
        for name in ("ack", "act", "deadline"):
            value = row[name]
            row[f"{name}_text"] = (
                "—" if value is None else humanize_duration(timedelta(seconds=int(value)))
            )
    timed = [row for row in kinds if row["act"] is not None and row["deadline"]]
    chart = _both(
        charts.horizontal_bars,
        title="Median time to act, as a share of the legal deadline",
        labels=[str(row["label"]) for row in timed],
        values=[round(100 * float(row["act"]) / float(row["deadline"])) for row in timed],
        markers=[100.0 for _ in timed],
        marker_label="legal deadline (100 %)",
        unit=" %",
    )
    return {"kinds": kinds, "times_chart": chart}


def _by_country(rows: list) -> list[dict[str, object]]:
    countries: dict[str, dict[str, int]] = {}
    for r in rows:
        into = countries.setdefault(
            r.jurisdiction,
            dict.fromkeys(
                ("received", "fulfilled", "rejected", "withdrawn", "open", "accounts", "acted"),
                0,
            )
            | {"within": 0},
        )
        into["received"] += r.received
        into["fulfilled"] += r.fulfilled
        into["rejected"] += r.rejected
        into["withdrawn"] += r.withdrawn
        into["open"] += r.open
        into["accounts"] += r.accounts_affected
        into["acted"] += r.acted
        into["within"] += r.within_deadline
    return [
        {
            "country": code,
            **values,
            "share": None
            if values["acted"] == 0
            else round(100 * values["within"] / values["acted"]),
        }
        for code, values in sorted(countries.items())
    ]


def _platform_view(quarters: list) -> list[dict[str, object]]:
    """Per country and quarter: IP address and phone number requests fulfilled, users affected."""
    table: dict[tuple[str, date], dict[str, int]] = {}
    for q in quarters:
        if q.kind not in [k.value for k in DISCLOSURE_KINDS]:
            continue
        into = table.setdefault((q.jurisdiction, q.bucket), {"fulfilled": 0, "accounts": 0})
        into["fulfilled"] += q.fulfilled
        into["accounts"] += q.accounts_affected
    return [
        {"country": country, "quarter": _quarter_label(bucket), **values}
        for (country, bucket), values in sorted(table.items())
    ]


def _downloads(today: date, period: dict[str, object]) -> dict[str, object]:
    return {
        "daily": selectors.published_days(limit=14),
        "dsa_orders": (
            f"/transparency/exports/dsa-orders.csv?periodStart={period['periodStart']}"
            f"&periodEnd={period['periodEnd']}"
        ),
        "tco_years": [today.year - 1, today.year],
        "signing_key": SIGNING_KEY_URL,
        "data_categories": [c.label for c in DataCategory],
    }
