"""Every moment the staff admin shows, as the case tool shows it: date, 24-hour clock, UTC, and
the signed-in staff member's own zone beside it ("2026-12-01 14:05 UTC (15:05 CET)").

Django's admin renders a model's datetimes (list columns, read-only fields, inlines, values
returned by list_display callables) through `display_for_field` / `display_for_value` of
`django.contrib.admin.utils`, which take no request and have no hook. So:

- `StaffTimesMiddleware` makes the current request known for as long as it is handled (its
  response rendered included: admin's TemplateResponses render after the view returns);
- `install()`, called once by the staff admin's app config, puts `display_for_field` and
  `display_for_value` below in the three admin modules that imported Django's; every other
  value is left to Django's own functions.

The staff member's zone is read once per request, and only when a page shows a moment
(`staff_zone`); outside a request, or for a user without a chosen zone, times are UTC only,
exactly as `core.formats` writes them.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.contrib.admin import utils as admin_utils
from django.db import models
from django.http import HttpRequest, HttpResponse

from core.staff import staff_time, staff_time_parts, staff_time_zone

_ZONE_ATTRIBUTE = "_staff_time_zone"
_current_request: ContextVar[HttpRequest | None] = ContextVar("staff_times_request", default=None)


def staff_zone(request: HttpRequest | None) -> zoneinfo.ZoneInfo | None:
    """The signed-in staff member's own zone (None: UTC only), read once per request."""
    if request is None:
        return None
    if not hasattr(request, _ZONE_ATTRIBUTE):
        user = getattr(request, "user", None)
        authenticated = user is not None and user.is_authenticated
        setattr(request, _ZONE_ATTRIBUTE, staff_time_zone(user) if authenticated else None)
    zone: zoneinfo.ZoneInfo | None = getattr(request, _ZONE_ATTRIBUTE)
    return zone


class StaffTimesMiddleware:
    """Makes the request being handled known to `display_for_field` (through a context
    variable, reset when the response is complete). Sync and async, so it adds no thread hop."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        if self.is_async:
            return self._acall(request)
        token = _current_request.set(request)
        try:
            response: HttpResponse = self.get_response(request)
        finally:
            _current_request.reset(token)
        return response

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        token = _current_request.set(request)
        try:
            response: HttpResponse = await self.get_response(request)
        finally:
            _current_request.reset(token)
        return response


def moment_display(value: datetime | None) -> str:
    """`value` as the staff member handling the current request reads it."""
    return staff_time(value, staff_zone(_current_request.get()))


def moment_parts(value: datetime) -> tuple[str, str | None]:
    """`moment_display`'s UTC and local halves (`core.staff.staff_time_parts`)."""
    return staff_time_parts(value, staff_zone(_current_request.get()))


# Django's own, kept before `install()` replaces them.
_django_display_for_field = admin_utils.display_for_field
_django_display_for_value = admin_utils.display_for_value


def display_for_field(
    value: Any, field: Any, empty_value_display: str, avoid_link: bool = False
) -> Any:
    """Django's `display_for_field`, with a DateTimeField's value in both zones."""
    if (
        isinstance(field, models.DateTimeField)
        and isinstance(value, datetime)
        and not getattr(field, "flatchoices", None)
    ):
        return moment_display(value)
    return _django_display_for_field(value, field, empty_value_display, avoid_link)


def display_for_value(value: Any, empty_value_display: str, boolean: bool = False) -> Any:
    """Django's `display_for_value`, with a datetime in both zones."""
    if not boolean and isinstance(value, datetime):
        return moment_display(value)
    return _django_display_for_value(value, empty_value_display, boolean)


def install() -> None:
    """Put the functions above where Django's admin looks them up. Idempotent."""
    from django.contrib.admin import helpers
    from django.contrib.admin.templatetags import admin_list

    # utils' own display_for_field calls display_for_value by its module name, so utils too.
    for module in (admin_utils, helpers, admin_list):
        if hasattr(module, "display_for_field"):
            module.display_for_field = display_for_field  # type: ignore[attr-defined]
        if hasattr(module, "display_for_value"):
            module.display_for_value = display_for_value  # type: ignore[attr-defined]
