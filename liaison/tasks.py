"""Celery tasks of the liaison app: the user-notice sweep. Thin: one service call."""

from __future__ import annotations

import logging

from celery import shared_task

from liaison import user_notice

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def user_notice_sweep_task() -> dict:
    """Periodic (beat `user-notice-sweep`): list the user notices now due, remind authorities
    whose non-disclosure orders lapse soon."""
    result = user_notice.user_notice_sweep()
    if result.listed:
        logger.info("user notices now due: %d", len(result.listed))
    return {"listed": len(result.listed), "reminded": len(result.reminded)}
