"""Staff view of the outbox: what was emitted and delivered (read-only), and the dead letters,
which staff revive with one action whatever their topic (routing, notifications, webhooks)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from core.outbox import services as outbox
from core.outbox.models import DeadLetter, OutboxEvent


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    """Every event and its delivery state; read-only (staff act on dead letters)."""

    list_display = (
        "id", "topic", "queue", "created_at", "enqueued_at", "delivered_at", "attempts",
        "dead_lettered_at",
    )  # fmt: skip
    list_filter = (
        "topic",
        "queue",
        ("delivered_at", admin.EmptyFieldListFilter),
        ("dead_lettered_at", admin.EmptyFieldListFilter),
    )
    readonly_fields = [f.name for f in OutboxEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DeadLetter)
class DeadLetterAdmin(admin.ModelAdmin):
    """Events that ran out of attempts; "Revive" gives them a fresh set."""

    list_display = ["key", "topic", "attempts", "created_at", "redriven_at", "short_error"]
    list_filter = [("redriven_at", admin.EmptyFieldListFilter), "outbox_event__topic"]
    list_select_related = ["outbox_event"]
    readonly_fields = [f.name for f in DeadLetter._meta.fields]
    actions = ["revive"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Topic")
    def topic(self, letter: DeadLetter) -> str:
        return letter.outbox_event.topic if letter.outbox_event is not None else "—"

    @admin.display(description="Error")
    def short_error(self, letter: DeadLetter) -> str:
        return letter.error[:120]

    @admin.action(description="Revive (a fresh set of attempts)", permissions=["change"])
    def revive(self, request: HttpRequest, queryset: QuerySet[DeadLetter]) -> None:
        revived = sum(
            outbox.dead_letter_revive(dead_letter_id=letter_id)
            for letter_id in queryset.values_list("pk", flat=True)
        )
        self.message_user(request, f"Revived {revived} dead letter(s).")
