"""The append-only, hash-chained audit log."""

from __future__ import annotations

from django.db import models


class AuditEntry(models.Model):
    """One line of the append-only, hash-chained audit log: who did or saw what, and when.

    `hash` is SHA-256 over a canonical serialization that includes `prev_hash` (see
    liaison.audit), so editing or deleting any entry breaks the chain (`manage.py audit_verify`).
    Actor and organization are plain ids, not foreign keys, so that no cascade ever rewrites a
    line; a database trigger refuses UPDATE and DELETE (migration 0003).
    """

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=200)
    organization_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64, db_index=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"
