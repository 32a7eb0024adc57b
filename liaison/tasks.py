"""Celery tasks of the liaison app: the user-notice sweep and the preservation sweep. Thin: one
service call each."""

from __future__ import annotations

import logging

from celery import shared_task

from core.heartbeat import heartbeat_record
from liaison import preservation, user_notice

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def user_notice_sweep_task() -> dict:
    """Periodic (beat `user-notice-sweep`): list the user notices now due, remind authorities
    whose non-disclosure orders lapse soon."""
    result = user_notice.user_notice_sweep()
    if result.listed:
        logger.info("user notices now due: %d", len(result.listed))
    return {"listed": len(result.listed), "reminded": len(result.reminded)}


@shared_task(acks_late=True, ignore_result=True)
def sweep_preservations_task() -> dict:
    """Periodic (beat `preservation-sweep`): reminders 7 days before a preservation expires,
    and the expiries."""
    heartbeat_record("preservation-sweep")
    return vars(preservation.preservation_sweep())
