"""The request lifecycle: one transition table and the one service that moves a request.

Every status change of a legal request goes through `legal_request_transition`: it checks the
table (which moves exist, and who may make them) and the guards (four eyes, reason codes,
emergency callback), pauses or resumes the legal clock, and records the move on the timeline,
in the audit log, in the outbox and in the notifications to the authority — in one transaction.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone

from core import rawsql
from core.actors import Actor, public_name
from core.outbox.services import outbox_emit
from liaison import notifications, permissions
from liaison.audit import AuditAction, audit_record
from liaison.intake_signals import hold_refusal, target_answer_refusal
from liaison.models import (
    DisclosurePackage,
    LegalRequest,
    NoDataDecision,
    RejectionReason,
    RequestStatus,
    TimelineEntry,
)
from liaison.review_policy import (
    DISCLOSURE_KINDS,
    current_policy,
    distinct_approvers,
    release_refusal,
)
from liaison.topics import STATUS_CHANGED

TOPIC_STATUS_CHANGED = STATUS_CHANGED.name  # declared, with its policy, in liaison.topics
MAX_MESSAGE_LENGTH = 10_000
# Rejections that say something about the target accounts: whether they exist (not
# identifiable) or what they did (no rule broken). Not given while the request is held.
TARGET_FACT_REJECTIONS = frozenset(
    {RejectionReason.TARGET_NOT_IDENTIFIED, RejectionReason.NO_RULE_VIOLATION}
)


class Role(enum.Enum):
    """Who may make a move: platform staff, the requesting organization, or the system."""

    STAFF = "staff"
    ORGANIZATION = "organization"
    SYSTEM = "system"


S = RequestStatus
TRANSITIONS: dict[tuple[str, str], frozenset[Role]] = {
    (S.RECEIVED, S.ROUTED): frozenset({Role.SYSTEM, Role.STAFF}),
    (S.RECEIVED, S.WITHDRAWN): frozenset({Role.ORGANIZATION}),
    (S.ROUTED, S.UNDER_REVIEW): frozenset({Role.STAFF}),
    (S.ROUTED, S.WITHDRAWN): frozenset({Role.ORGANIZATION}),
    (S.UNDER_REVIEW, S.NEEDS_INFO): frozenset({Role.STAFF}),
    (S.UNDER_REVIEW, S.APPROVED): frozenset({Role.STAFF}),
    (S.UNDER_REVIEW, S.REJECTED): frozenset({Role.STAFF}),
    (S.UNDER_REVIEW, S.WITHDRAWN): frozenset({Role.ORGANIZATION}),
    (S.NEEDS_INFO, S.UNDER_REVIEW): frozenset({Role.ORGANIZATION, Role.STAFF}),
    (S.NEEDS_INFO, S.WITHDRAWN): frozenset({Role.ORGANIZATION}),
    (S.APPROVED, S.FULFILLED): frozenset({Role.STAFF}),
    (S.APPROVED, S.WITHDRAWN): frozenset({Role.ORGANIZATION}),
}
TERMINAL_STATUSES = frozenset({S.REJECTED, S.FULFILLED, S.WITHDRAWN})


def allowed_moves(status: str, *, role: Role | None = None) -> list[str]:
    """The statuses a request in `status` may move to (by `role`, when one is given)."""
    return [
        to
        for (frm, to), roles in TRANSITIONS.items()
        if frm == status and (role is None or role in roles)
    ]


def _role(actor: Actor | None, legal_request: LegalRequest) -> Role | None:
    if actor is None:
        return Role.SYSTEM
    if actor.organization_id is not None:
        return Role.ORGANIZATION if actor.organization_id == legal_request.organization_id else None
    return Role.STAFF if actor.is_staff else None


def require_staff(actor: Actor | None) -> Actor:
    """Refuse anyone but platform staff."""
    if actor is None or not actor.is_staff or actor.organization_id is not None:
        raise ValidationError("Only platform staff can do this.", code="staff_only")
    return actor


def lock_request(legal_request: LegalRequest | Any) -> LegalRequest:
    """Re-read a request under a row lock (call inside a transaction)."""
    return (
        LegalRequest.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=getattr(legal_request, "pk", legal_request))
    )


def _guard(locked: LegalRequest, to_status: str) -> None:
    if to_status == S.APPROVED:
        needed = current_policy().approvals_required(locked.kind)
        if distinct_approvers(locked) < needed:
            raise ValidationError(
                f"Approval needs {needed} approval(s) from different staff members.",
                code="approvals_missing",
            )
    elif to_status == S.REJECTED:
        if locked.rejection_reason not in RejectionReason.values:
            raise ValidationError("A rejection needs a reason code.", code="reason_required")
        held = (
            target_answer_refusal(locked)
            if locked.rejection_reason in TARGET_FACT_REJECTIONS
            else None
        )
        if held is not None:
            raise ValidationError(
                {"reason_code": ValidationError(held, code="held_for_verification")}
            )
    elif to_status == S.FULFILLED:
        # A request held for verification releases nothing, whatever its kind.
        refusal = hold_refusal(locked)
        if refusal is None and locked.kind in DISCLOSURE_KINDS:
            refusal = release_refusal(locked)
            if (
                refusal is None
                and not DisclosurePackage.objects.filter(legal_request=locked).exists()
                and not NoDataDecision.objects.filter(legal_request=locked).exists()
            ):
                refusal = "The disclosure package has not been produced."
        if refusal is not None:
            raise ValidationError(refusal, code="release_refused")


def legal_request_transition(
    *,
    actor: Actor | None,
    legal_request: LegalRequest,
    to_status: str,
    reason: str,
    actor_label: str | None = None,
    event: str = TimelineEntry.Event.STATUS_CHANGED,
    changes: dict[str, Any] | None = None,
) -> LegalRequest:
    """Move a request to `to_status` if the table allows it for this actor (None = the system).

    Takes the request's row lock itself, in the caller's transaction if there is one (a lock
    the caller already holds is simply taken again), and decides on the status read under it.
    Applies `changes` to the request in the same write, pauses the legal clock on NEEDS_INFO and
    pushes `due_at` forward by the paused time on resume, and records the move (timeline,
    audit log, outbox `legal_request.status_changed`, webhook, e-mail, subscription) atomically;
    the notifications leave after commit. Raises ValidationError with a code otherwise.
    """
    with transaction.atomic():
        return _transition_locked(
            actor=actor,
            locked=lock_request(legal_request),
            to_status=to_status,
            reason=reason,
            actor_label=actor_label,
            event=event,
            changes=changes,
        )


def _transition_locked(
    *,
    actor: Actor | None,
    locked: LegalRequest,
    to_status: str,
    reason: str,
    actor_label: str | None,
    event: str,
    changes: dict[str, Any] | None,
) -> LegalRequest:
    """The body of `legal_request_transition`, on a request this module just locked."""
    from_status = locked.status
    roles = TRANSITIONS.get((from_status, to_status))
    if roles is None:
        raise ValidationError(
            f"A request that is {from_status} cannot become {to_status}"
            + (
                f" (possible: {', '.join(allowed_moves(from_status))})."
                if allowed_moves(from_status)
                else "."
            ),
            code="invalid_transition",
        )
    role = _role(actor, locked)
    if role not in roles:
        raise ValidationError(
            f"You may not move a request from {from_status} to {to_status}.",
            code="transition_not_allowed",
        )
    if role is Role.STAFF:
        permissions.require(actor, permissions.STAFF_MOVES[to_status])
    for field, value in (changes or {}).items():
        setattr(locked, field, value)
    _guard(locked, to_status)

    now = timezone.now()
    paused = resumed = False
    paused_seconds: int | None = None
    if to_status == S.NEEDS_INFO:
        locked.clock_paused_at, paused = now, True
    elif from_status == S.NEEDS_INFO and locked.clock_paused_at is not None:
        if to_status == S.UNDER_REVIEW:
            pause = now - locked.clock_paused_at
            paused_seconds = int(pause.total_seconds())
            if locked.due_at is not None:
                locked.due_at += pause
            resumed = True
        locked.clock_paused_at = None
    if to_status == S.FULFILLED:
        locked.fulfilled_at = now
    locked.status = to_status
    # The timeline entry is public: staff appear by desk (and chosen display name), never by
    # e-mail; the audit log keeps who it was.
    label = actor_label or (actor.label if actor is not None else "system")
    _save_with_entry(
        locked,
        sorted({"status", "clock_paused_at", "due_at", "fulfilled_at", *(changes or {})}),
        TimelineEntry(
            legal_request=locked,
            event=event,
            status=to_status,
            actor_label=actor_label or public_name(actor, desk=locked.handling_desk),
            message=reason[:MAX_MESSAGE_LENGTH],
            at=now,
        ),
    )
    details: dict[str, Any] = {"from": from_status, "to": to_status, "reason": reason[:2000]}
    if paused or resumed:
        details.update(paused=paused, resumed=resumed, paused_seconds=paused_seconds)
    if locked.rejection_reason and to_status == S.REJECTED:
        details["rejection_reason"] = locked.rejection_reason
    if locked.review_policy_version and to_status in (S.APPROVED, S.REJECTED):
        details["policy_version"] = locked.review_policy_version
    audit_record(
        actor=actor,
        actor_label=label,
        action=AuditAction.STATUS_CHANGED,
        object_type="LegalRequest",
        object_id=locked.pk,
        organization_id=locked.organization_id,
        details=details,
    )
    outbox_emit(
        topic=TOPIC_STATUS_CHANGED,
        payload={
            "legal_request_id": str(locked.pk),
            "kind": locked.kind,
            "from": from_status,
            "to": to_status,
            "paused": paused,
            "resumed": resumed,
            "paused_seconds": paused_seconds,
            "due_at": locked.due_at.isoformat() if locked.due_at else None,
            "submitted_at": locked.submitted_at.isoformat(),
            "handling_desk": locked.handling_desk,
            "origin": locked.origin,
            "at": now.isoformat(),
            # Who moved it, for staff moves (the reviewer who starts a review takes the ticket).
            "staff_user_id": actor.user.pk if role is Role.STAFF and actor is not None else None,
        },
    )
    notifications.status_change_notify(
        legal_request=locked, from_status=from_status, reason=reason, at=now
    )
    return locked


def legal_request_mark_routed(
    *,
    legal_request: LegalRequest,
    desk_name: str,
    due_at: datetime,
    actor_label: str,
    locked: bool = False,
) -> LegalRequest:
    """Record where the switchboard sent a request and by when it will be handled.

    Locks the request (unless `locked`: the caller read it under its row lock, with its
    organization, in this transaction) and decides on the status read under the lock: the
    first routing moves RECEIVED → ROUTED as a transition (timeline, audit, outbox,
    notifications); a later re-routing only updates the desk and deadline; a closed request
    (withdrawn meanwhile, say) is refused with `request_closed`. The pre-flight of the targets
    is not part of it: the router runs `preflight.targets_preflight_many` after the routing.

    It joins the caller's transaction without a savepoint of its own (the routing path saves
    two round trips that way): when it raises, the caller's transaction must roll back, as the
    routing delivery's does before it is retried.
    """
    message = f"Routed to {desk_name}; due {due_at:%Y-%m-%d %H:%M} UTC."
    changes = {"handling_desk": desk_name, "due_at": due_at, "routed_at": timezone.now()}
    with transaction.atomic(savepoint=False):
        current = legal_request if locked else lock_request(legal_request)
        if current.status in TERMINAL_STATUSES:
            raise ValidationError(
                f"A request that is {current.status} is not routed.", code="request_closed"
            )
        if current.status == RequestStatus.RECEIVED:
            current = _transition_locked(
                actor=None,
                locked=current,
                to_status=RequestStatus.ROUTED,
                reason=message,
                actor_label=actor_label,
                event=TimelineEntry.Event.ROUTED,
                changes=changes,
            )
        else:
            for field, value in changes.items():
                setattr(current, field, value)
            _save_with_entry(
                current,
                list(changes),
                TimelineEntry(
                    legal_request=current,
                    event=TimelineEntry.Event.ROUTED,
                    status=current.status,
                    actor_label=actor_label,
                    message=message,
                ),
            )
    for field in ("handling_desk", "due_at", "routed_at", "status"):
        setattr(legal_request, field, getattr(current, field))
    return legal_request


def _save_with_entry(locked: LegalRequest, fields: list[str], entry: TimelineEntry) -> None:
    """`locked.save(update_fields=fields)` and `entry.save()` in ONE statement (an UPDATE in a
    data-modifying CTE feeding the entry's INSERT): one round trip fewer for every move.

    The values go through each field's own preparation (`pre_save`, `get_db_prep_save`), as
    the ORM's save would (the entry's through core.rawsql, which refuses a model with save
    signal receivers); neither model has save() overrides to miss. The entry is
    written only if the UPDATE found the row (the caller holds its lock).
    """
    quote = connection.ops.quote_name
    sets, params = [], []
    by_name = {f.name: f for f in LegalRequest._meta.concrete_fields}
    for name in fields:
        field = by_name[name]
        sets.append(f"{quote(str(field.column))} = %s")
        params.append(field.get_db_prep_save(getattr(locked, field.attname), connection))
    pk = cast(Field, LegalRequest._meta.pk)
    params.append(pk.get_db_prep_value(locked.pk, connection))
    timeline = rawsql.insert_parts(TimelineEntry)
    params += rawsql.insert_params(entry)
    request = quote(LegalRequest._meta.db_table)
    # Names from the models' metadata; every value is a parameter.
    sql = (
        f"WITH moved AS (UPDATE {request} SET {', '.join(sets)} "  # noqa: S608
        f"WHERE {quote(str(pk.column))} = %s RETURNING 1) "
        f"INSERT INTO {timeline.table} ({timeline.columns}) SELECT {timeline.values} FROM moved "
        f"RETURNING {timeline.pk}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise LegalRequest.DoesNotExist(f"legal request {locked.pk} is gone")
    entry.pk = row[0]
    entry._state.adding = False


def legal_request_record_event(
    *,
    legal_request: LegalRequest,
    event: str,
    actor_label: str,
    message: str = "",
    public: bool = False,
    at: datetime | None = None,
) -> TimelineEntry:
    """Add an entry (acknowledged, escalated, deadline warning, breach, note) to a request's
    timeline without changing its status; internal unless `public`. A public entry's
    `actor_label` is shown to the organization: for staff, `core.actors.public_name`."""
    if event not in TimelineEntry.Event.values:
        raise ValidationError({"event": f"Unknown timeline event {event!r}."})
    return TimelineEntry.objects.create(
        legal_request=legal_request,
        event=event,
        status=legal_request.status,
        actor_label=actor_label,
        message=message,
        public=public,
        at=at or timezone.now(),
    )
