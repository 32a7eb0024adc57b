"""Template helpers of the console's pages: choice labels and dates in the reader's language
(the models keep English labels; core.labels)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from core.labels import choice_label
from liaison.models import DataCategory

register = template.Library()


@register.filter
def translated(label: object) -> str:
    """A choice's label (`{{ legal_request.get_status_display|translated }}`) translated."""
    return choice_label(label)


@register.filter
def data_categories(codes: Iterable[str]) -> str:
    """The labels of a request's data categories (codes such as IP_ADDRESSES), translated."""
    labels = dict(DataCategory.choices)
    return ", ".join(choice_label(labels.get(code, code)) for code in codes)


@register.filter
def when(value: datetime | None) -> SafeString | str:
    """A moment for people and machines: `<time datetime="(ISO 8601)">` around the date, the
    24-hour time and the zone in the active language's DATETIME_FORMAT (core.formats)."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return format_html(
        '<time datetime="{}">{}</time>',
        local.isoformat(),
        formats.date_format(local, "DATETIME_FORMAT"),
    )
