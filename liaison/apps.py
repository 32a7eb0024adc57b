"""App config for the tenants and their legal requests."""

from django.apps import AppConfig


class LiaisonConfig(AppConfig):
    """Organizations, tokens, legal requests, targets and their timeline."""

    name = "liaison"
    verbose_name = "Liaison"

    def ready(self) -> None:
        # Registers the outbox handlers of this app, and the audit log's sealing at /metrics.
        from core.metrics import register_collector
        from liaison import handlers  # noqa: F401
        from liaison.metrics import audit_metrics

        register_collector("audit", audit_metrics)
