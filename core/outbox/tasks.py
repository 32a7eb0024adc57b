"""Celery tasks of the outbox: deliver one event, and re-drive the undelivered ones (beat)."""

from __future__ import annotations

from celery import Task, shared_task
from django.conf import settings

from core.heartbeat import heartbeat_record
from core.outbox import services as outbox
from core.periodic import once_per_period

# Retries of every topic go here, never back on `urgent`: failing work cannot clog urgent work.
RETRY_QUEUE = "retry"


# max_retries=None: the bound is the topic's max_attempts, counted on the event in the database
# (it also counts deliveries re-driven after a lost message; Celery's counter would restart).
@shared_task(
    bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True, max_retries=None
)
def deliver_outbox_event_task(self: Task, event_id: int) -> None:
    """Deliver one outbox event to its handlers (a delivered or dead event is skipped); after
    a failure, retry on `retry` with the topic's backoff until its attempts run out."""
    try:
        outbox.outbox_deliver(event_id=event_id)
    except Exception as error:
        countdown = outbox.outbox_delivery_failed(
            event_id=event_id,
            error=repr(error),
            task_name=self.name,
            permanent=isinstance(error, outbox.DeliveryRefused),
        )
        if countdown is not None:
            raise self.retry(exc=error, countdown=countdown, queue=RETRY_QUEUE) from error


@shared_task(ignore_result=True)
@once_per_period("outbox-redrive", lambda: settings.OUTBOX_REDRIVE_SECONDS)
def redrive_outbox_task() -> int:
    """Periodic (beat, every node's): enqueue the events whose delivery never started or was
    lost, once per period across the nodes."""
    heartbeat_record("outbox-redrive")
    return outbox.outbox_redrive()
