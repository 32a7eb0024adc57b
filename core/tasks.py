"""Celery tasks of the ground floor (Celery's autodiscovery imports this module)."""

from core.outbox.tasks import deliver_outbox_event_task, redrive_outbox_task

__all__ = ["deliver_outbox_event_task", "redrive_outbox_task"]
