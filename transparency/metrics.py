"""transparency's figures for /metrics, read at each scrape (registered in apps.ready()): a
daily report that stopped being published, or statements of reasons that stopped reaching the
DSA Transparency Database, would otherwise go unnoticed until someone reads the page."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC

from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from transparency.models import DailyReport, StatementOfReasons


def transparency_metrics() -> Iterable[Metric]:
    """Ended days without a published report; statements waiting, and the oldest one's age."""
    now = timezone.now()
    today = now.astimezone(UTC).date()
    last = DailyReport.objects.order_by("-day").values_list("day", flat=True).first()
    pending = StatementOfReasons.objects.filter(state=StatementOfReasons.State.PENDING)
    oldest = pending.order_by("created_at").values_list("created_at", flat=True).first()
    return [
        GaugeMetricFamily(
            "transparency_days_behind",
            "Days since the last published daily report (1 until the 00:10 UTC job has run; "
            "alert above 1; -1: nothing published yet).",
            value=(today - last).days if last else -1,
        ),
        GaugeMetricFamily(
            "transparency_statements_pending",
            "Statements of reasons not yet stored by the DSA Transparency Database.",
            value=pending.count(),
        ),
        GaugeMetricFamily(
            "transparency_oldest_pending_statement_seconds",
            "Age of the oldest statement of reasons waiting to be sent (0: none).",
            value=(now - oldest).total_seconds() if oldest else 0.0,
        ),
        GaugeMetricFamily(
            "transparency_refused_statements",
            "Statements of reasons the Transparency Database refused (they need a person).",
            value=StatementOfReasons.objects.filter(state=StatementOfReasons.State.REFUSED).count(),
        ),
    ]
