"""Celery tasks of the transparency app, periodic and thin (one service call each); each runs
once per period across the nodes (core/periodic.py: `claim_period` in its beat entry)."""

from __future__ import annotations

from celery import shared_task

from core.periodic import once_per_period
from transparency import services, statements

HOUR_SECONDS = 3600.0


@shared_task(acks_late=True, ignore_result=True)
@once_per_period("transparency-daily-reports", lambda: HOUR_SECONDS)
def publish_daily_reports_task() -> list[str]:
    """Periodic (beat, ten past every hour): publish yesterday's report at 00:10 UTC, and any
    day missed before it as soon as the portal runs again."""
    return [day.isoformat() for day in services.daily_reports_catch_up()]


@shared_task(acks_late=True, ignore_result=True)
@once_per_period("transparency-statements-resend", lambda: HOUR_SECONDS)
def resend_pending_statements_task() -> bool:
    """Periodic (beat, hourly): statements of reasons still waiting get a new send."""
    return statements.statements_pending_kick()
