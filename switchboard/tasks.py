"""Celery tasks of the switchboard: the deadline sweep. Thin: one service call. (Staff
notifications are sent by the outbox's task, topic `switchboard.staff_notification`.)"""

from __future__ import annotations

from celery import shared_task

from core.heartbeat import heartbeat_record
from switchboard import sweep


@shared_task(acks_late=True, ignore_result=True)
def sweep_switchboard_task() -> dict:
    """Periodic (beat): escalations, deadline warnings and breaches."""
    heartbeat_record("sweep")
    return vars(sweep.switchboard_sweep())
