"""Staff view of the outbox: what was emitted, delivered, and what is still waiting."""

from django.contrib import admin

from core.outbox.models import OutboxEvent


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    list_display = ("id", "topic", "queue", "created_at", "enqueued_at", "delivered_at", "attempts")
    list_filter = ("topic", "queue", ("delivered_at", admin.EmptyFieldListFilter))
    readonly_fields = [f.name for f in OutboxEvent._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
