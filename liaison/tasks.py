"""Celery tasks of liaison: the audit log's sealer (beat). Thin: one service call."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from core.heartbeat import heartbeat_record
from core.periodic import once_per_period
from liaison import audit


@shared_task(ignore_result=True)
@once_per_period("audit-seal", lambda: settings.AUDIT_SEAL_SECONDS)
def seal_audit_log_task() -> int:
    """Periodic (beat): chain and sign the audit entries appended since the last seal.

    Once per period across the nodes; and two at once (a manual run) are harmless anyway: the
    second finds the sealer's lock taken and returns, a later run seals what is left.
    """
    heartbeat_record("audit-seal")
    return audit.audit_seal(wait=False).sealed
