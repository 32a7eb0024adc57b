"""The append-only, hash-chained audit log: append an entry, seal the chain, verify it.

Writers append in their own transaction with no chaining and no lock (`audit_record`), so no
audited write ever waits for another, on one machine or many. A sealer (`audit_seal`, the beat
task `seal_audit_log_task`, or `manage.py audit_seal`) then does what Certificate
Transparency's and Trillian's sequencers do: in batches, it takes the committed entries not
sealed yet, gives each the next `seq`, chains it (`prev_hash`, `hash`) and signs the new head
with the portal's Ed25519 key (`AuditTreeHead`). Only the sealer serializes, on its own
advisory lock, which no writer ever takes.

Each entry's hash is SHA-256 over the canonical JSON (sorted keys, no spaces, UTF-8) of its
fields, its `seq` and the previous entry's hash (unchanged from the chain's first version, so
entries chained before the sealer existed still verify). `audit_verify` walks the sealed chain
and checks every signed head and every anchor it is given (the heads that transparency reports
published), and reports entries left unsealed for longer than AUDIT_UNSEALED_MAX_SECONDS: the
one window in which an entry is not yet tamper-evident (CT's maximum merge delay).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core import rawsql
from core.actors import Actor
from liaison import signing
from liaison.models import AuditEntry, AuditTreeHead

GENESIS_HASH = "0" * 64
# An arbitrary, fixed 64-bit key for pg_advisory_xact_lock: "the sealer of the audit chain".
# Only sealers take it; writers never do.
AUDIT_SEALER_LOCK_KEY = 0x4C49_4149_5345_414C
SEALING_FIELDS = ("seq", "prev_hash", "hash", "sealed_at")


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
    """The hash a sealed entry must carry, recomputed from its stored fields."""
    if entry.seq is None or entry.prev_hash is None:
        raise ValueError(f"audit entry {entry.pk} is not sealed")
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
    """Append one entry, unsealed, in the caller's transaction (one INSERT, no lock).

    It commits or rolls back with the caller's change; the sealer chains it once committed.
    `details` must be JSON made of strings, integers, booleans and lists/dicts of them (no
    floats: their text form could change on the way through PostgreSQL's jsonb).
    """
    user = actor.user if actor is not None else None
    # rawsql.insert: AuditEntry.objects.create without the ORM's per-call query building (every
    # audited write pays it; the model has no save() override and no signals).
    return rawsql.insert(
        AuditEntry(
            at=timezone.now(),  # microseconds, like PostgreSQL: the hash recomputes exactly
            actor_user_id=getattr(user, "pk", None),
            actor_label=actor_label or (actor.label if actor is not None else "system"),
            organization_id=organization_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            details=json.loads(canonical_json(details or {})),
        )
    )


# -- the head -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditHead:
    """The head of the sealed chain: its length (the last `seq`, 0 when empty) and last hash."""

    seq: int
    hash: str


def audit_head(*, seal: bool = False) -> AuditHead:
    """The current sealed head, to anchor elsewhere (the signed transparency reports do).

    With `seal=True` everything committed so far is sealed first, so the head covers it.
    """
    if seal:
        audit_seal()
    head = (
        AuditEntry.objects.filter(seq__isnull=False)
        .order_by("-seq")
        .values_list("seq", "hash")
        .first()
    )
    if head is None or head[0] is None or head[1] is None:
        return AuditHead(seq=0, hash=GENESIS_HASH)
    return AuditHead(seq=head[0], hash=head[1])


def tree_head_message(*, tree_size: int, head_hash: str, sealed_at: datetime, key_id: str) -> bytes:
    """The bytes a signed tree head's signature covers."""
    return canonical_json(
        {
            "tree_size": tree_size,
            "head_hash": head_hash,
            "sealed_at": sealed_at.astimezone(UTC).isoformat(),
            "key_id": key_id,
        }
    )


def audit_signed_head() -> AuditTreeHead | None:
    """The newest signed tree head (None before the first seal)."""
    return AuditTreeHead.objects.order_by("-tree_size").first()


# -- the sealer -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SealResult:
    """What one run of the sealer did: entries sealed, batches, and the head after it."""

    sealed: int
    batches: int
    head: AuditHead
    skipped: bool = False  # another sealer held the lock: it seals these entries


def audit_seal(
    *, now: datetime | None = None, batch_size: int | None = None, wait: bool = True
) -> SealResult:
    """Seal every committed unsealed entry, in batches of `batch_size` (AUDIT_SEAL_BATCH).

    Each batch is one transaction under the sealer's advisory lock: read the head, chain the
    batch in id order, write the sealing columns (one UPDATE), sign the new head. Entries
    committed meanwhile, or by a transaction that started before but committed after, are
    sealed by the next batch or run. Idempotent: a second run finds nothing and writes nothing.
    With `wait=False` (the beat task) it returns at once when another sealer holds the lock.
    """
    size = batch_size or int(getattr(settings, "AUDIT_SEAL_BATCH", 1000))
    sealed = batches = 0
    head = None
    while True:
        with transaction.atomic():
            if not _sealer_lock(wait=wait):
                return SealResult(sealed, batches, head or audit_head(), skipped=True)
            head = audit_head()
            batch = list(AuditEntry.objects.filter(seq__isnull=True).order_by("id")[:size])
            if not batch:
                return SealResult(sealed, batches, head)
            head = _chain(batch, head, now or timezone.now())
            sealed += len(batch)
            batches += 1
        if len(batch) < size:
            return SealResult(sealed, batches, head)


def _sealer_lock(*, wait: bool) -> bool:
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_SEALER_LOCK_KEY])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [AUDIT_SEALER_LOCK_KEY])
        return bool(cursor.fetchone()[0])


def _chain(batch: list[AuditEntry], head: AuditHead, sealed_at: datetime) -> AuditHead:
    seq, prev_hash = head.seq, head.hash
    for entry in batch:
        seq += 1
        entry.seq, entry.prev_hash, entry.sealed_at = seq, prev_hash, sealed_at
        entry.hash = prev_hash = entry_hash(entry)  # from the stored (committed) values
    AuditEntry.objects.bulk_update(batch, list(SEALING_FIELDS), batch_size=len(batch))
    key_id = signing.public_key_info().key_id
    AuditTreeHead.objects.create(
        tree_size=seq,
        head_hash=prev_hash,
        sealed_at=sealed_at,
        key_id=key_id,
        signature=signing.sign(
            tree_head_message(
                tree_size=seq, head_hash=prev_hash, sealed_at=sealed_at, key_id=key_id
            )
        ),
    )
    return AuditHead(seq=seq, hash=prev_hash)


# -- verification ---------------------------------------------------------------------------


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


@dataclass(frozen=True)
class AuditBreak:
    """The first place where the chain does not hold (seq None: not about one sealed entry)."""

    seq: int | None
    entry_id: int | None
    reason: str


@dataclass(frozen=True)
class AuditReport:
    """Everything `audit_verify` found."""

    checked: int  # sealed entries that verify, in order, before any break
    broken: AuditBreak | None
    head: AuditHead
    tree_heads_checked: int
    unsealed: int  # entries appended and not sealed yet
    stale_unsealed: int  # of those, appended longer than the bound ago
    oldest_unsealed_at: datetime | None
    unsealed_bound: timedelta

    @property
    def stale(self) -> AuditBreak | None:
        """Entries left unsealed too long, as a finding (the sealer is not running)."""
        if not self.stale_unsealed:
            return None
        return AuditBreak(
            None,
            None,
            f"{self.stale_unsealed} entries unsealed for longer than "
            f"{int(self.unsealed_bound.total_seconds())} s (oldest appended "
            f"{self.oldest_unsealed_at:%Y-%m-%d %H:%M:%S} UTC): is the sealer running?",
        )


def audit_verify(
    *, now: datetime | None = None, anchors: Iterable[AuditHead] = ()
) -> tuple[int, AuditBreak | None]:
    """Verify the sealed chain; return how many entries were checked and the first finding.

    The finding is the first break of the chain (an edited, deleted or re-hashed entry, a signed
    head or an anchor the chain no longer holds) or else entries left unsealed too long.
    `audit_report` gives everything.
    """
    report = audit_report(now=now, anchors=anchors)
    return report.checked, report.broken or report.stale


def audit_report(*, now: datetime | None = None, anchors: Iterable[AuditHead] = ()) -> AuditReport:
    """Walk the sealed chain in order, checking each entry, every signed tree head and every
    anchor (e.g. heads published in transparency reports), then count the unsealed entries.

    Detects an edited entry (its hash no longer matches), a deleted entry (a gap in `seq`, or
    the next entry's `prev_hash` no longer matching), a re-hashed edit (the next `prev_hash`),
    and entries cut from the end or a rewritten history (a signed head or anchor that the chain
    no longer holds; a head signed by another key than the deployment's is skipped).
    """
    now = now or timezone.now()
    bound = timedelta(seconds=float(getattr(settings, "AUDIT_UNSEALED_MAX_SECONDS", 300)))
    checked, broken, tree_heads = _walk(_checkpoints(anchors))
    unsealed = AuditEntry.objects.filter(seq__isnull=True)
    oldest = unsealed.order_by("at").values_list("at", flat=True).first()
    return AuditReport(
        checked=checked,
        broken=broken,
        head=audit_head(),
        tree_heads_checked=tree_heads,
        unsealed=unsealed.count(),
        stale_unsealed=unsealed.filter(at__lt=now - bound).count(),
        oldest_unsealed_at=oldest,
        unsealed_bound=bound,
    )


@dataclass(frozen=True)
class _Checkpoint:
    seq: int
    hash: str
    what: str


def _checkpoints(anchors: Iterable[AuditHead]) -> Iterator[_Checkpoint]:
    """Signed heads (their signatures checked here) and anchors, merged in `seq` order."""
    key_id = signing.public_key_info().key_id
    points = [_Checkpoint(a.seq, a.hash, f"anchored head #{a.seq}") for a in anchors if a.seq]
    points += [
        _Checkpoint(anchor.seq, anchor.hash, f"head #{anchor.seq} published in {anchor.label}")
        for source in _anchor_sources
        for anchor in source()
        if anchor.seq
    ]
    signed = [
        head
        for head in AuditTreeHead.objects.order_by("tree_size").iterator(chunk_size=2000)
        if head.key_id == key_id
    ]
    # In memory: a head is a small row, one per sealing run that sealed anything.
    for head in signed:
        message = tree_head_message(
            tree_size=head.tree_size,
            head_hash=head.head_hash,
            sealed_at=head.sealed_at,
            key_id=head.key_id,
        )
        what = f"signed head #{head.tree_size}"
        if not signing.verify(message, head.signature):
            what += " (BAD SIGNATURE)"
        points.append(_Checkpoint(head.tree_size, head.head_hash, what))
    yield from sorted(points, key=lambda point: point.seq)


def _walk(checkpoints: Iterator[_Checkpoint]) -> tuple[int, AuditBreak | None, int]:
    checked = heads = 0
    expected_prev, expected_seq = GENESIS_HASH, 1
    pending = next(checkpoints, None)
    for entry in _sealed_entries():
        if entry.seq != expected_seq:
            return (
                checked,
                AuditBreak(
                    expected_seq, None, f"entry #{expected_seq} is missing (next is #{entry.seq})"
                ),
                heads,
            )
        if entry.prev_hash != expected_prev:
            return (
                checked,
                AuditBreak(
                    entry.seq, entry.pk, "prev_hash does not match the previous entry's hash"
                ),
                heads,
            )
        if entry_hash(entry) != entry.hash:
            return (
                checked,
                AuditBreak(entry.seq, entry.pk, "hash does not match the entry's content (edited)"),
                heads,
            )
        while pending is not None and pending.seq == entry.seq:
            if "BAD SIGNATURE" in pending.what or pending.hash != entry.hash:
                return (
                    checked,
                    AuditBreak(entry.seq, entry.pk, f"the chain does not hold the {pending.what}"),
                    heads,
                )
            heads += 1
            pending = next(checkpoints, None)
        checked += 1
        expected_prev, expected_seq = entry.hash, entry.seq + 1
    if pending is not None:
        return (
            checked,
            AuditBreak(
                pending.seq,
                None,
                f"entry #{pending.seq} is missing: the chain ends at #{expected_seq - 1} but the "
                f"{pending.what} holds it (entries cut from the end)",
            ),
            heads,
        )
    return checked, None, heads


def _sealed_entries() -> Iterator[AuditEntry]:
    return AuditEntry.objects.filter(seq__isnull=False).order_by("seq").iterator(chunk_size=2000)
