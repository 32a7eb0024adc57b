"""Celery tasks of the liaison app: the preservation sweep. Thin: one service call."""

from __future__ import annotations

from celery import shared_task

from core.heartbeat import heartbeat_record
from liaison import preservation


@shared_task(acks_late=True, ignore_result=True)
def sweep_preservations_task() -> dict:
    """Periodic (beat): reminders 7 days before a preservation expires, and the expiries."""
    heartbeat_record("preservation-sweep")
    return vars(preservation.preservation_sweep())
