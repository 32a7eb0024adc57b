"""Celery tasks of liaison: the audit log's sealer (beat). Thin: one service call."""

from __future__ import annotations

from celery import shared_task

from core.heartbeat import heartbeat_record
from liaison import audit


@shared_task(ignore_result=True)
def seal_audit_log_task() -> int:
    """Periodic (beat): chain and sign the audit entries appended since the last seal.

    Two of these at once (two beats, a manual run) are harmless: the second finds the
    sealer's lock taken and returns; a later run seals what is left.
    """
    heartbeat_record("audit-seal")
    return audit.audit_seal(wait=False).sealed
