"""Celery tasks of the ground floor (Celery's autodiscovery imports this module)."""

from celery import shared_task

from core.heartbeat import heartbeat_record, queue_heartbeat
from core.outbox.tasks import deliver_outbox_event_task, redrive_outbox_task


@shared_task(ignore_result=True)
def queue_heartbeat_task(queue: str) -> None:
    """Periodic (beat, one per queue): a worker of `queue` is alive and taking work."""
    heartbeat_record(queue_heartbeat(queue))


__all__ = ["deliver_outbox_event_task", "queue_heartbeat_task", "redrive_outbox_task"]
