"""The append-only, hash-chained audit log: entries, and the signed heads of the sealed chain."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q


class AuditEntry(models.Model):
    """One line of the append-only audit log: who did or saw what, and when.

    An entry is appended in the writer's own transaction with no chaining (no lock, so writers
    never wait on each other); the sealer (liaison.audit.audit_seal) later gives it its place
    in the chain, once: `seq`, `prev_hash`, `hash` (SHA-256 over a canonical serialization that
    includes `prev_hash`) and `sealed_at`. Editing or deleting a sealed entry breaks the chain
    (`manage.py audit_verify`). Actor and organization are plain ids, not foreign keys, so that
    no cascade ever rewrites a line. A database trigger refuses DELETE and every UPDATE except
    the sealer's one setting of the sealing columns of an unsealed entry (migration 0012).
    """

    seq = models.BigIntegerField(unique=True, null=True, blank=True)  # set by the sealer
    at = models.DateTimeField()  # when it was appended
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=200)
    organization_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64, db_index=True)
    details = models.JSONField(default=dict, blank=True)
    # Null, not "", until sealed: `hash` is unique, and "not sealed" must not look like a value.
    prev_hash = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    sealed_at = models.DateTimeField(null=True, blank=True)  # null on entries sealed before 0012

    class Meta:
        # The chain's order; entries not sealed yet follow, in the order they were appended.
        ordering = [F("seq").asc(nulls_last=True), "id"]
        verbose_name_plural = "audit entries"
        indexes = [
            # The sealer's work list and the verifier's staleness check stay small index scans.
            models.Index(
                fields=["id"], condition=Q(seq__isnull=True), name="liaison_audit_unsealed"
            )
        ]

    def __str__(self) -> str:
        place = f"#{self.seq}" if self.seq is not None else f"(unsealed, id {self.pk})"
        return f"{place} {self.action} {self.object_type}:{self.object_id}"


class AuditTreeHead(models.Model):
    """A signed head of the sealed chain, written by the sealer after each batch it seals.

    `signature` is the portal's Ed25519 signature (liaison.signing) over the canonical JSON of
    `{"tree_size", "head_hash", "sealed_at", "key_id"}` (see liaison.audit.tree_head_message):
    the chain's first `tree_size` entries end in `head_hash`. A later chain that no longer holds
    an earlier head (an entry cut from the end, a rewritten history) fails `audit_verify`.
    Append-only like the entries (a trigger refuses UPDATE and DELETE).
    """

    tree_size = models.BigIntegerField(unique=True)
    head_hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField()
    key_id = models.CharField(max_length=64)
    signature = models.CharField(max_length=200)

    class Meta:
        ordering = ["tree_size"]

    def __str__(self) -> str:
        return f"tree head {self.tree_size} {self.head_hash[:12]}"
