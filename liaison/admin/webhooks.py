"""Staff admin of the webhook notices sent to organizations, and their attempts."""

from __future__ import annotations

from django.contrib import admin

from liaison.admin.base import ReadOnlyAdmin
from liaison.models import WebhookDelivery


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """Webhook notices and their attempts; DEAD ones ran out of retries."""

    list_display = (
        "id",
        "organization",
        "event",
        "state",
        "attempts",
        "last_status_code",
        "created_at",
        "delivered_at",
        "dead_lettered_at",
    )
    list_filter = ("state", "event")
    list_select_related = ("organization",)
    actions = None
