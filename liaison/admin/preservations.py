"""Preservations in admin: what is kept, until when, and for which production request."""

from __future__ import annotations

from django.contrib import admin

from liaison.admin.base import ReadOnlyAdmin
from liaison.models import Preservation


@admin.register(Preservation)
class PreservationAdmin(ReadOnlyAdmin):
    """Read-only: preservations are recorded, extended and ended by the services and the sweep."""

    list_display = (
        "legal_request", "instrument", "preserved_at", "preserved_until", "extensions",
        "reminder_sent_at", "production_request", "ended_at",
    )  # fmt: skip
    list_filter = ("instrument", ("ended_at", admin.EmptyFieldListFilter))
    list_select_related = ("legal_request__organization", "production_request__organization")
    ordering = ("preserved_until",)
    search_fields = ("legal_request__reference", "legal_request__organization__name")
