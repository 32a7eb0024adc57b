"""Celery tasks of the switchboard: the deadline sweep and the notification flush. Thin: one
service call each. (Retries of a failed notification are the outbox's task, topic
`switchboard.staff_notification`.)"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from core.heartbeat import heartbeat_record
from core.periodic import once_per_period
from switchboard import notifications, sweep


@shared_task(acks_late=True, ignore_result=True)
@once_per_period("sweep", lambda: settings.SWITCHBOARD_SWEEP_SECONDS)
def sweep_switchboard_task() -> dict:
    """Periodic (beat, every node's): escalations, deadline warnings and breaches, once per
    period across the nodes."""
    heartbeat_record("sweep")
    return vars(sweep.switchboard_sweep())


@shared_task(acks_late=True, ignore_result=True)
def flush_notifications_task(urgent: bool) -> int:
    """Send the staff notifications recorded and not sent yet, of urgent tickets or of the
    others (its queue's), in batches: one task per burst (see switchboard.notifications)."""
    return notifications.notifications_flush(urgent=urgent)
