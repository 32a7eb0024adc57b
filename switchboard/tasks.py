"""Celery tasks of the switchboard: send a notification, sweep deadlines. Thin: ids in, one
service call."""

from __future__ import annotations

from celery import Task, shared_task

from core.outbox.tasks import RETRY_QUEUE, retry_countdown
from switchboard import notifications, selectors, sweep


@shared_task(
    bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True, max_retries=None
)
def send_notification_task(self: Task, notification_id: int) -> None:
    """Send one notification (idempotent); bounded retries on `retry`, then a dead letter."""
    try:
        notifications.notification_send(notification_id=notification_id)
    except Exception as error:
        attempts = selectors.notification_attempts(notification_id=notification_id)
        if attempts >= notifications.NOTIFICATION_MAX_ATTEMPTS:
            notifications.notification_give_up(
                notification_id=notification_id, error=repr(error), task_name=self.name
            )
            return
        raise self.retry(
            exc=error, countdown=retry_countdown(attempts), queue=RETRY_QUEUE
        ) from error


@shared_task(acks_late=True, ignore_result=True)
def sweep_switchboard_task() -> dict:
    """Periodic (beat): escalations, warnings, breaches, and the outbox/notification re-drive."""
    return vars(sweep.switchboard_sweep())
