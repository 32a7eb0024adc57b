"""liaison's figures for /metrics, read at each scrape (registered in apps.ready())."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from liaison.models import AuditEntry


def audit_metrics() -> Iterable[Metric]:
    """The audit log's sealing: the sealed head, entries waiting, the oldest one's age."""
    unsealed = AuditEntry.objects.filter(seq__isnull=True)
    oldest = unsealed.order_by("at").values_list("at", flat=True).first()
    head = AuditEntry.objects.filter(seq__isnull=False).order_by("-seq").values_list("seq").first()
    return [
        GaugeMetricFamily(
            "liaison_audit_sealed_entries",
            "Length of the sealed audit chain.",
            value=head[0] if head else 0,
        ),
        GaugeMetricFamily(
            "liaison_audit_unsealed_entries",
            "Audit entries appended and not sealed yet.",
            value=unsealed.count(),
        ),
        GaugeMetricFamily(
            "liaison_audit_oldest_unsealed_seconds",
            "Age of the oldest unsealed audit entry (0: none); alert above "
            "AUDIT_UNSEALED_MAX_SECONDS.",
            value=(timezone.now() - oldest).total_seconds() if oldest else 0.0,
        ),
    ]
