"""The transparency app: daily signed reports, the public report query, page and exports."""

from __future__ import annotations

from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    """Registers the published audit heads with liaison's audit_verify (liaison cannot import
    this app) and the statements-of-reasons outbox topic."""

    name = "transparency"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from liaison.audit import audit_anchor_source_register
        from transparency import handlers  # noqa: F401 - registers the outbox handlers
        from transparency.selectors import published_audit_anchors

        audit_anchor_source_register(published_audit_anchors)
