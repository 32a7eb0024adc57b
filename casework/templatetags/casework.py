"""Template helpers of the case tool: times as staff read them, and the dashboard."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template
from django.utils import timezone

from core.durations import humanize_duration
from core.templatetags.staff_times import moment

register = template.Library()

# `{% when ticket.due_at %}`: the staff admin's `{% moment %}` (date, 24-hour clock, UTC, and the
# staff member's own zone), under the name the case tool's templates use.
register.simple_tag(moment, takes_context=True, name="when")


@register.simple_tag
def case_dashboard() -> Any:
    """`{% case_dashboard as dashboard %}`: the numbers of the admin index."""
    from casework.selectors import dashboard_get

    return dashboard_get(now=timezone.now())


@register.filter
def duration(value: timedelta | None) -> str:
    """`{{ clock|duration }}`: a clock in its largest whole unit, "10 days", "1 hour" (an
    empty string for None)."""
    return humanize_duration(value) if value is not None else ""


@register.filter
def time_left(value: timedelta | None) -> str:
    """`{{ delta|time_left }}`: a countdown in its two largest units, "9d 23h", "2h 05m"
    (as the queue shows it; an empty string for None)."""
    return humanize_duration(value, compact=True) if value is not None else ""
