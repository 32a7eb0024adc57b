"""The transparency app: daily signed reports, the public report query, page and exports."""

from __future__ import annotations

from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    """Registers the published audit heads with liaison's audit_verify (liaison cannot import
    this app), the statements-of-reasons outbox topic and this app's /metrics figures."""

    name = "transparency"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.metrics import register_collector
        from liaison.audit import audit_anchor_source_register
        from transparency import handlers  # noqa: F401 - registers the outbox handlers
        from transparency.metrics import transparency_metrics
        from transparency.selectors import published_audit_anchors

        audit_anchor_source_register(published_audit_anchors)
        register_collector("transparency", transparency_metrics)
