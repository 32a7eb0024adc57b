"""Template helpers of the console's forms: a field's input tied to its help and errors."""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def described(field: BoundField) -> SafeString:
    """The field's widget with `aria-describedby` naming its help text and errors, and
    `aria-invalid` when it has errors, so that a screen reader reads them with the input."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    for number, _ in enumerate(field.errors, start=1):
        ids.append(f"{field.auto_id}_error{number if number > 1 else ''}")
    attrs: dict[str, Any] = {"aria-describedby": " ".join(ids)} if ids else {}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)
