"""Celery tasks of the outbox: deliver one event, and re-drive the undelivered ones."""

from __future__ import annotations

import random

from celery import Task, shared_task

from core.outbox import services as outbox

RETRY_QUEUE = "retry"
RETRY_BACKOFF_MAX_SECONDS = 30


def retry_countdown(attempts: int) -> float:
    """Exponential backoff with jitter for the n-th failed attempt: ~1 s, 2 s, 4 s … 30 s."""
    base = min(2 ** max(attempts - 1, 0), RETRY_BACKOFF_MAX_SECONDS)
    return base * (0.5 + random.random() / 2)  # noqa: S311 - jitter, not security


# max_retries=None: the bound is the event's own attempt count in the database, which also
# counts deliveries re-driven by the sweeper (a Celery retry counter would restart at zero).
@shared_task(
    bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True, max_retries=None
)
def deliver_outbox_event_task(self: Task, event_id: int) -> None:
    """Deliver one outbox event to its handlers (idempotent: a delivered event is skipped).

    A failure is retried on the `retry` queue with backoff, never on `urgent`, so a failing
    event cannot hold up urgent work; after `OUTBOX_MAX_ATTEMPTS` it becomes a dead letter.
    """
    try:
        outbox.outbox_deliver(event_id=event_id)
    except Exception as error:
        attempts = outbox.outbox_record_failure(event_id=event_id, error=repr(error))
        if attempts >= outbox.outbox_max_attempts():
            outbox.outbox_dead_letter(event_id=event_id, error=repr(error), task_name=self.name)
            return
        raise self.retry(
            exc=error, countdown=retry_countdown(attempts), queue=RETRY_QUEUE
        ) from error


@shared_task(ignore_result=True)
def redrive_outbox_task() -> int:
    """Periodic sweep: enqueue the events whose delivery never happened or was lost."""
    return outbox.outbox_redrive()
