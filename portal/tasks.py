"""Celery tasks of the outbox: deliver one event, and re-drive the undelivered ones."""

from celery import shared_task

from portal import outbox


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_outbox_event_task(event_id: int) -> None:
    """Deliver one outbox event to its handlers (idempotent: a delivered event is skipped)."""
    try:
        outbox.outbox_deliver(event_id=event_id)
    except Exception as error:
        outbox.outbox_record_failure(event_id=event_id, error=repr(error))
        raise


@shared_task(ignore_result=True)
def redrive_outbox_task() -> int:
    """Periodic sweep: enqueue the events whose delivery never happened or was lost."""
    return outbox.outbox_redrive()
