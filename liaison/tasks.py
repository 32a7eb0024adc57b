"""Celery tasks of the liaison app, all periodic (beat) and thin, one service call each: the
audit log's sealer, the user-notice sweep and the preservation sweep. Each runs once per period
across the nodes (core/periodic.py: `claim_period` in its beat entry)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from core.heartbeat import heartbeat_record
from core.periodic import once_per_period
from liaison import audit, preservation, user_notice

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
@once_per_period("audit-seal", lambda: settings.AUDIT_SEAL_SECONDS)
def seal_audit_log_task() -> int:
    """Periodic (beat): chain and sign the audit entries appended since the last seal.

    Once per period across the nodes; and two at once (a manual run) are harmless anyway: the
    second finds the sealer's lock taken and returns, a later run seals what is left.
    """
    heartbeat_record("audit-seal")
    return audit.audit_seal(wait=False).sealed


@shared_task(acks_late=True, ignore_result=True)
@once_per_period("user-notice-sweep", lambda: settings.USER_NOTICE_SWEEP_SECONDS)
def user_notice_sweep_task() -> dict:
    """Periodic (beat `user-notice-sweep`): list the user notices now due, remind authorities
    whose non-disclosure orders lapse soon."""
    result = user_notice.user_notice_sweep()
    if result.listed:
        logger.info("user notices now due: %d", len(result.listed))
    return {"listed": len(result.listed), "reminded": len(result.reminded)}


@shared_task(acks_late=True, ignore_result=True)
@once_per_period("preservation-sweep", lambda: settings.PRESERVATION_SWEEP_SECONDS)
def sweep_preservations_task() -> dict:
    """Periodic (beat `preservation-sweep`): reminders 7 days before a preservation expires,
    and the expiries."""
    heartbeat_record("preservation-sweep")
    return vars(preservation.preservation_sweep())
