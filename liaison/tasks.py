"""Celery tasks of the liaison app: webhook delivery with bounded, backed-off retries."""

from __future__ import annotations

from celery import Task, shared_task

from core.outbox.tasks import RETRY_QUEUE, retry_countdown
from liaison import notifications


# The bound is the delivery's attempt count in the database (WEBHOOK_MAX_ATTEMPTS), which also
# counts attempts re-driven by the sweeper; Celery's own retry counter would restart at zero.
@shared_task(
    bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True, max_retries=None
)
def deliver_webhook_task(self: Task, delivery_id: int) -> None:
    """Deliver one webhook; on failure retry on the `retry` queue with exponential backoff."""
    outcome = notifications.webhook_delivery_attempt(delivery_id=delivery_id)
    if outcome.retry:
        raise self.retry(countdown=retry_countdown(outcome.attempts), queue=RETRY_QUEUE)


@shared_task(ignore_result=True)
def redrive_webhook_deliveries_task() -> int:
    """Periodic: enqueue pending deliveries that never reached the broker or were lost."""
    return notifications.webhook_redrive()
