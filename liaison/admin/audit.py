"""Staff admin of the audit log: append-only, so read-only here too."""

from __future__ import annotations

from django.contrib import admin

from liaison.admin.base import ReadOnlyAdmin
from liaison.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit log: append-only (a database trigger refuses edits, audit_verify checks it);
    entries without a `seq` are appended and not sealed yet."""

    list_display = ("seq", "at", "actor_label", "action", "object_type", "object_id", "sealed_at")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "actor_label", "hash")
    actions = None
