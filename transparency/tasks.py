"""Celery tasks of the transparency app. Thin: one service call."""

from __future__ import annotations

from celery import shared_task

from transparency import services, statements


@shared_task(acks_late=True, ignore_result=True)
def publish_daily_reports_task() -> list[str]:
    """Periodic (beat, 00:10 UTC): publish yesterday's report and any day missed before it."""
    return [day.isoformat() for day in services.daily_reports_catch_up()]


@shared_task(acks_late=True, ignore_result=True)
def resend_pending_statements_task() -> bool:
    """Periodic (beat, hourly): statements of reasons still waiting get a new send."""
    return statements.statements_pending_kick()
