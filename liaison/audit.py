"""The append-only, hash-chained audit log: record an entry, and verify the whole chain.

Each entry's hash is SHA-256 over the canonical JSON (sorted keys, no spaces, UTF-8) of its
fields and the previous entry's hash. Appends are serialized with a transaction-scoped
PostgreSQL advisory lock, so two concurrent writers can never chain onto the same head.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from core.actors import Actor
from liaison.models import AuditEntry

GENESIS_HASH = "0" * 64
# An arbitrary, fixed 64-bit key for pg_advisory_xact_lock: "the head of the audit chain".
AUDIT_LOCK_KEY = 0x4C49_4149_534F_4E41


class AuditAction:
    """The actions the log knows (strings, so old entries stay readable when this grows)."""

    STATUS_CHANGED = "legal_request.status_changed"
    ANALYSIS_RECORDED = "legal_request.analysis_recorded"
    APPROVED = "legal_request.approved"
    CALLBACK_RECORDED = "legal_request.callback_recorded"
    DOCUMENT_ATTACHED = "legal_document.attached"
    DOCUMENT_READ = "legal_document.read"
    PACKAGE_CREATED = "disclosure_package.created"
    PACKAGE_READ = "disclosure_package.read"
    PACKAGE_REFUSED = "disclosure_package.refused"
    HELD_FOR_VERIFICATION = "legal_request.held_for_verification"
    VERIFICATION_COMPLETED = "legal_request.verification_completed"
    PREFLIGHT_CHECKED = "legal_request.preflight_checked"
    NO_DATA_HELD = "legal_request.no_data_held"
    CANNOT_COMPLY = "legal_request.cannot_comply"
    CORRECTED = "legal_request.corrected"
    NON_DISCLOSURE_ORDER = "non_disclosure_order"  # .attached, .extended, .reminded, ...
    ORGANIZATION_VERIFIED = "organization.verified"
    ORGANIZATION_UNVERIFIED = "organization.unverified"
    ORGANIZATION_CHANGED = "organization.changed"
    CALLBACK_NUMBER_CHANGE_REQUESTED = "organization.callback_number_change_requested"
    CALLBACK_NUMBER_CHANGE_APPROVED = "organization.callback_number_change_approved"
    CALLBACK_NUMBER_CHANGE_REJECTED = "organization.callback_number_change_rejected"
    TOKEN_ISSUED = "api_token.issued"  # noqa: S105 (an action name)
    TOKEN_REVOKED = "api_token.revoked"  # noqa: S105 (an action name)
    POLICY_SAVED = "routing_policy.saved"
    POLICY_DELETED = "routing_policy.deleted"
    PRESERVED = "preservation.recorded"
    PRESERVATION_EXTENDED = "preservation.extended"
    PRESERVATION_HELD = "preservation.held_for_production"
    PRESERVATION_ENDED = "preservation.ended"


def canonical_json(value: Any) -> bytes:
    """The one serialization the log and the disclosure signatures use."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _entry_hash(
    *,
    seq: int,
    at: datetime,
    actor_user_id: int | None,
    actor_label: str,
    organization_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    details: Any,
    prev_hash: str,
) -> str:
    document = {
        "seq": seq,
        "at": at.astimezone(UTC).isoformat(),
        "actor_user_id": actor_user_id,
        "actor_label": actor_label,
        "organization_id": organization_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "details": details,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical_json(document)).hexdigest()


def entry_hash(entry: AuditEntry) -> str:
    """The hash an entry must carry, recomputed from its stored fields."""
    return _entry_hash(
        seq=entry.seq,
        at=entry.at,
        actor_user_id=entry.actor_user_id,
        actor_label=entry.actor_label,
        organization_id=entry.organization_id,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        details=entry.details,
        prev_hash=entry.prev_hash,
    )


def audit_record(
    *,
    actor: Actor | None,
    action: str,
    object_type: str,
    object_id: object,
    organization_id: int | None = None,
    details: dict[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEntry:
    """Append one entry to the chain, inside the caller's transaction (or its own).

    `details` must be JSON made of strings, integers, booleans and lists/dicts of them (no
    floats: their text form could change on the way through PostgreSQL's jsonb).
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_LOCK_KEY])
        head = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
        user = actor.user if actor is not None else None
        fields: dict[str, Any] = {
            "seq": seq,
            "at": timezone.now(),  # microseconds, like PostgreSQL: the hash recomputes exactly
            "actor_user_id": getattr(user, "pk", None),
            "actor_label": actor_label or (actor.label if actor is not None else "system"),
            "organization_id": organization_id,
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "details": json.loads(canonical_json(details or {})),
            "prev_hash": prev_hash,
        }
        return AuditEntry.objects.create(**fields, hash=_entry_hash(**fields))


@dataclass(frozen=True)
class AuditHead:
    """The chain's last entry as it is now: its `seq` (0 for an empty chain) and hash."""

    seq: int
    hash: str


@dataclass(frozen=True)
class AuditAnchor:
    """A head published outside the log (e.g. in a signed transparency report): the chain
    must still hold an entry `seq` with exactly this `hash`. `label` says where it was published."""

    seq: int
    hash: str
    label: str


AnchorSource = Callable[[], Iterable[AuditAnchor]]
# Apps above liaison that publish heads register where to find them (AppConfig.ready()):
# liaison cannot import them, and audit_verify checks every published head.
_anchor_sources: list[AnchorSource] = []


def audit_anchor_source_register(source: AnchorSource) -> None:
    """Register a function that lists published heads (idempotent per function)."""
    if source not in _anchor_sources:
        _anchor_sources.append(source)


def audit_head() -> AuditHead:
    """The current head of the chain (committed entries only): what a published report anchors."""
    head = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    return AuditHead(seq=head[0], hash=head[1]) if head else AuditHead(seq=0, hash=GENESIS_HASH)


@dataclass(frozen=True)
class AuditBreak:
    """The first place where the chain does not hold."""

    seq: int
    entry_id: int | None
    reason: str


def audit_verify() -> tuple[int, AuditBreak | None]:
    """Walk the whole chain in order; return how many entries were checked and the first break.

    Detects an edited entry (its hash no longer matches), a deleted entry (a gap in `seq`, or
    the next entry's `prev_hash` no longer matching) and a re-hashed edit (the next entry's
    `prev_hash` no longer matching). Removing entries from the very end leaves a shorter but
    consistent chain: that is detected through the published heads (`AuditAnchor`, e.g. in the
    signed daily transparency reports), each of which the chain must still contain.
    """
    checked = 0
    expected_prev, expected_seq = GENESIS_HASH, 1
    for entry in _entries():
        if entry.seq != expected_seq:
            return checked, AuditBreak(
                expected_seq, None, f"entry #{expected_seq} is missing (next is #{entry.seq})"
            )
        if entry.prev_hash != expected_prev:
            return checked, AuditBreak(
                entry.seq, entry.pk, "prev_hash does not match the previous entry's hash"
            )
        if entry_hash(entry) != entry.hash:
            return checked, AuditBreak(
                entry.seq, entry.pk, "hash does not match the entry's content (edited)"
            )
        checked += 1
        expected_prev, expected_seq = entry.hash, entry.seq + 1
    return checked, _anchors_break(last_seq=expected_seq - 1)


def _anchors_break(*, last_seq: int) -> AuditBreak | None:
    """The first published head the (already verified) chain no longer holds."""
    anchors = sorted(
        (anchor for source in _anchor_sources for anchor in source()), key=lambda a: a.seq
    )
    if not anchors:
        return None
    stored = dict(
        AuditEntry.objects.filter(seq__in={a.seq for a in anchors}).values_list("seq", "hash")
    )
    stored[0] = GENESIS_HASH
    for anchor in anchors:
        if anchor.seq > last_seq:
            return AuditBreak(
                anchor.seq,
                None,
                f"entry #{anchor.seq}, published as the head in {anchor.label}, is missing: "
                f"the chain ends at #{last_seq} (entries cut from the end)",
            )
        if stored.get(anchor.seq) != anchor.hash:
            return AuditBreak(
                anchor.seq, None, f"entry #{anchor.seq} is not the head published in {anchor.label}"
            )
    return None


def _entries() -> Iterator[AuditEntry]:
    return AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)
