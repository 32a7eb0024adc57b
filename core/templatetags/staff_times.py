"""`{% moment value %}`: a moment as the staff admin shows it (core.admin_times)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template

from core.admin_times import staff_zone
from core.staff import staff_time

register = template.Library()


def moment(context: dict[str, Any], value: datetime | None) -> str:
    """Date, 24-hour clock, UTC, and the signed-in staff member's own zone beside it."""
    return staff_time(value, staff_zone(context.get("request")))


register.simple_tag(moment, takes_context=True)
