"""The review workflow: one transition table, one transition service, and the staff decisions.

Every status change of a legal request goes through `legal_request_transition`: it checks the
table (which moves exist, and who may make them) and the guards (four eyes, reason codes,
emergency callback), pauses or resumes the legal clock, and records the move on the timeline,
in the audit log, in the outbox and in the notifications to the authority — in one transaction.

Review policy: a versioned constant, not a database row. The rules that decide whether data
leaves the platform are the same for every country and every deployment; they change only by a
reviewed code change that bumps `REVIEW_POLICY_VERSION`, and every decision stores the version
it applied. Older versions stay in `REVIEW_POLICIES` so old decisions remain explainable. A
staff-editable row would let one office quietly answer the same request differently.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from liaison import notifications
from liaison.actors import Actor
from liaison.audit import AuditAction, audit_record
from liaison.models import (
    Approval,
    CallbackVerification,
    DisclosurePackage,
    LegalAnalysis,
    LegalRequest,
    RejectionReason,
    RequestKind,
    RequestStatus,
    TimelineEntry,
)
from portal.outbox import outbox_emit

TOPIC_STATUS_CHANGED = "legal_request.status_changed"
DISCLOSURE_KINDS = frozenset({RequestKind.DATA_DISCLOSURE, RequestKind.EMERGENCY_DISCLOSURE})
MAX_MESSAGE_LENGTH = 10_000


# Review policy -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewPolicy:
    """One version of the rules staff apply, the same everywhere."""

    version: str
    checks: tuple[tuple[str, str], ...]  # (LegalAnalysis field, what it asserts)
    disclosure_only_checks: frozenset[str]
    approvals_for_disclosure: int
    approvals_otherwise: int

    def required_checks(self, kind: str) -> list[tuple[str, str]]:
        """The checklist items that must all hold before a request of this kind is approved."""
        return [
            (name, label)
            for name, label in self.checks
            if kind in DISCLOSURE_KINDS or name not in self.disclosure_only_checks
        ]

    def approvals_required(self, kind: str) -> int:
        """How many different staff members must approve a request of this kind."""
        return (
            self.approvals_for_disclosure if kind in DISCLOSURE_KINDS else self.approvals_otherwise
        )

    def missing_checks(self, analysis: LegalAnalysis | None, kind: str) -> list[str]:
        """The labels of the required items the analysis does not (yet) confirm."""
        missing = []
        for name, label in self.required_checks(kind):
            if analysis is None or not getattr(analysis, name):
                missing.append(label)
            elif name == "rules_broken" and not analysis.moderation_reference.strip():
                missing.append("moderation reference for the rule breach")
        return missing


REVIEW_POLICIES = {
    "LRP-2026.1": ReviewPolicy(
        version="LRP-2026.1",
        checks=(
            ("authority_verified", "issuing authority verified and competent for jurisdiction"),
            ("legal_basis_valid", "legal basis and attached legal document valid"),
            ("targets_identified", "targets identified"),
            ("rules_broken", "target accounts broke the platform's rules"),
            ("data_minimised", "only IP addresses and phone number requested"),
            ("proportionate", "proportionate"),
        ),
        disclosure_only_checks=frozenset({"data_minimised"}),
        approvals_for_disclosure=2,
        approvals_otherwise=1,
    ),
}
REVIEW_POLICY_VERSION = "LRP-2026.1"


def current_policy() -> ReviewPolicy:
    """The policy every new decision applies."""
    return REVIEW_POLICIES[REVIEW_POLICY_VERSION]


# The transition table ------------------------------------------------------------------------


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


def allowed_moves(status: str) -> list[str]:
    """The statuses a request in `status` may move to."""
    return [to for (frm, to) in TRANSITIONS if frm == status]


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


def distinct_approvers(legal_request: LegalRequest) -> int:
    """How many different staff members approved the request."""
    return (
        Approval.objects.filter(legal_request=legal_request, set_aside_at__isnull=True)
        .values("approver")
        .distinct()
        .count()
    )


def release_refusal(legal_request: LegalRequest) -> str | None:
    """Why data may not leave for this request (None when it may). Checked before a package is
    built and again on every read, so no path releases data without the approvals."""
    if legal_request.kind not in DISCLOSURE_KINDS:
        return "Only disclosure requests produce data."
    policy = REVIEW_POLICIES.get(legal_request.review_policy_version) or current_policy()
    if distinct_approvers(legal_request) < policy.approvals_for_disclosure:
        return (
            f"Disclosure needs approvals from {policy.approvals_for_disclosure} different staff "
            "members."
        )
    if (
        legal_request.kind == RequestKind.EMERGENCY_DISCLOSURE
        and not CallbackVerification.objects.filter(legal_request=legal_request).exists()
    ):
        return (
            "Emergency disclosure needs a recorded callback to the organization's registered "
            "number first."
        )
    return None


def _guard(locked: LegalRequest, to_status: str) -> None:
    if to_status == S.APPROVED:
        needed = current_policy().approvals_required(locked.kind)
        if distinct_approvers(locked) < needed:
            raise ValidationError(
                f"Approval needs {needed} approval(s) from different staff members.",
                code="approvals_missing",
            )
    elif to_status == S.REJECTED and locked.rejection_reason not in RejectionReason.values:
        raise ValidationError("A rejection needs a reason code.", code="reason_required")
    elif to_status == S.FULFILLED and locked.kind in DISCLOSURE_KINDS:
        refusal = release_refusal(locked)
        if refusal is None and not DisclosurePackage.objects.filter(legal_request=locked).exists():
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
    locked: bool = False,
) -> LegalRequest:
    """Move a request to `to_status` if the table allows it for this actor (None = the system).

    `locked=True` says the caller read `legal_request` (with its organization) under a row lock
    in its own, still open transaction: it is used as it is, with no savepoint of its own (a
    failure rolls back the caller's transaction, which owns it). The routing path saves three
    round trips that way.

    Applies `changes` to the request in the same write, pauses the legal clock on NEEDS_INFO and
    pushes `due_at` forward by the paused time on resume, and records the move (timeline,
    audit log, outbox `legal_request.status_changed`, webhook, e-mail, subscription) atomically;
    the notifications leave after commit. Raises ValidationError with a code otherwise.
    """
    with transaction.atomic(savepoint=not locked):
        locked_request = legal_request if locked else lock_request(legal_request)
        return _transition_locked(
            actor=actor,
            locked=locked_request,
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
    """The body of `legal_request_transition`, on a request locked by the caller."""
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
    locked.save(
        update_fields=sorted(
            {"status", "clock_paused_at", "due_at", "fulfilled_at", *(changes or {})}
        )
    )

    label = actor_label or (actor.label if actor is not None else "system")
    TimelineEntry.objects.create(
        legal_request=locked,
        event=event,
        status=to_status,
        actor_label=label,
        message=reason[:MAX_MESSAGE_LENGTH],
        at=now,
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
            "at": now.isoformat(),
        },
    )
    notifications.status_change_notify(
        legal_request=locked, from_status=from_status, reason=reason, at=now
    )
    return locked


# Staff decisions -----------------------------------------------------------------------------


def legal_request_start_review(
    *, actor: Actor, legal_request: LegalRequest, note: str = ""
) -> LegalRequest:
    """Staff take a routed request into legal review."""
    require_staff(actor)
    return legal_request_transition(
        actor=actor,
        legal_request=legal_request,
        to_status=S.UNDER_REVIEW,
        reason=note or "Legal review started.",
    )


def legal_analysis_record(
    *,
    actor: Actor,
    legal_request: LegalRequest,
    authority_verified: bool,
    legal_basis_valid: bool,
    targets_identified: bool,
    rules_broken: bool,
    moderation_reference: str,
    data_minimised: bool,
    proportionate: bool,
    notes: str = "",
) -> LegalAnalysis:
    """Record (or update) the legal analysis checklist of a request under review."""
    require_staff(actor)
    if rules_broken and not moderation_reference.strip():
        raise ValidationError(
            {
                "moderation_reference": ValidationError(
                    "Give the moderation reference that shows the rule breach.", code="required"
                )
            }
        )
    answers = {
        "authority_verified": authority_verified,
        "legal_basis_valid": legal_basis_valid,
        "targets_identified": targets_identified,
        "rules_broken": rules_broken,
        "moderation_reference": moderation_reference.strip()[:200],
        "data_minimised": data_minimised,
        "proportionate": proportionate,
        "notes": notes,
    }
    with transaction.atomic():
        locked = lock_request(legal_request)
        if locked.status not in (S.UNDER_REVIEW, S.NEEDS_INFO):
            raise ValidationError(
                f"The analysis is recorded while the request is under review (it is "
                f"{locked.status}).",
                code="invalid_status",
            )
        policy = current_policy()
        analysis, _ = LegalAnalysis.objects.update_or_create(
            legal_request=locked,
            defaults={
                **answers,
                "policy_version": policy.version,
                "updated_by": actor.user,
                "updated_at": timezone.now(),
            },
        )
        TimelineEntry.objects.create(
            legal_request=locked,
            event=TimelineEntry.Event.ANALYSIS_RECORDED,
            status=locked.status,
            actor_label=actor.label,
            message="Legal analysis checklist updated.",
            public=False,
        )
        audit_record(
            actor=actor,
            action=AuditAction.ANALYSIS_RECORDED,
            object_type="LegalRequest",
            object_id=locked.pk,
            organization_id=locked.organization_id,
            details={**answers, "policy_version": policy.version},
        )
    return analysis


def _checklist_snapshot(analysis: LegalAnalysis) -> dict[str, Any]:
    return {
        name: getattr(analysis, name)
        for name in (
            "authority_verified",
            "legal_basis_valid",
            "targets_identified",
            "rules_broken",
            "moderation_reference",
            "data_minimised",
            "proportionate",
            "policy_version",
        )
    }


def legal_request_approve(*, actor: Actor, legal_request: LegalRequest, note: str = "") -> Approval:
    """Record one staff member's approval; the request becomes APPROVED once the policy's number
    of different approvers is reached (two for disclosure). The same person twice is refused."""
    require_staff(actor)
    same_approver = ValidationError(
        "You have already approved this request; the next approval must come from a different "
        "staff member.",
        code="same_approver",
    )
    with transaction.atomic():
        locked = lock_request(legal_request)
        if locked.status != S.UNDER_REVIEW:
            raise ValidationError(
                f"Only a request under review can be approved (it is {locked.status}).",
                code="invalid_transition",
            )
        policy = current_policy()
        analysis = LegalAnalysis.objects.filter(legal_request=locked).first()
        missing = policy.missing_checks(analysis, locked.kind)
        if missing:
            raise ValidationError(
                f"The legal analysis does not confirm: {'; '.join(missing)}.",
                code="analysis_incomplete",
            )
        assert analysis is not None  # noqa: S101 - missing_checks refuses a missing analysis
        if Approval.objects.filter(
            legal_request=locked, approver=actor.user, set_aside_at__isnull=True
        ).exists():
            raise same_approver
        try:
            with transaction.atomic():
                approval = Approval.objects.create(
                    legal_request=locked,
                    approver=actor.user,
                    policy_version=policy.version,
                    checklist=_checklist_snapshot(analysis),
                    note=note,
                )
        except IntegrityError as error:  # a concurrent approval by the same person
            raise same_approver from error
        count = distinct_approvers(locked)
        needed = policy.approvals_required(locked.kind)
        TimelineEntry.objects.create(
            legal_request=locked,
            event=TimelineEntry.Event.APPROVAL_RECORDED,
            status=locked.status,
            actor_label=actor.label,
            message=f"Approval {count} of {needed}. {note}".strip(),
            public=False,
        )
        audit_record(
            actor=actor,
            action=AuditAction.APPROVED,
            object_type="LegalRequest",
            object_id=locked.pk,
            organization_id=locked.organization_id,
            details={"approval": count, "required": needed, "policy_version": policy.version},
        )
        if count >= needed:
            legal_request_transition(
                actor=actor,
                legal_request=locked,
                to_status=S.APPROVED,
                reason=f"Approved after legal review (policy {policy.version}).",
                changes={"review_policy_version": policy.version, "decided_at": timezone.now()},
            )
    return approval


def legal_request_reject(
    *, actor: Actor, legal_request: LegalRequest, reason_code: str, note: str = ""
) -> LegalRequest:
    """Refuse a request under review with a reason code (and a note for OTHER)."""
    require_staff(actor)
    if reason_code not in RejectionReason.values:
        raise ValidationError(
            {"reason_code": ValidationError("Choose a rejection reason.", code="invalid_choice")}
        )
    if reason_code == RejectionReason.OTHER and not note.strip():
        raise ValidationError({"note": ValidationError("Explain the rejection.", code="required")})
    policy = current_policy()
    label = RejectionReason(reason_code).label
    return legal_request_transition(
        actor=actor,
        legal_request=legal_request,
        to_status=S.REJECTED,
        reason=f"Rejected: {label}. {note}".strip(),
        changes={
            "rejection_reason": reason_code,
            "review_policy_version": policy.version,
            "decided_at": timezone.now(),
        },
    )


def legal_request_ask_clarification(
    *, actor: Actor, legal_request: LegalRequest, question: str
) -> LegalRequest:
    """Staff ask the authority a question: NEEDS_INFO, and the legal clock pauses.

    Approvals already given are set aside: the answer may change the request, so it must be
    approved again, by two people, as it stands after the answer."""
    require_staff(actor)
    if not question.strip():
        raise ValidationError({"question": ValidationError("Ask a question.", code="required")})
    with transaction.atomic():
        updated = legal_request_transition(
            actor=actor,
            legal_request=legal_request,
            to_status=S.NEEDS_INFO,
            reason=question.strip(),
            event=TimelineEntry.Event.STATUS_CHANGED,
        )
        set_aside = Approval.objects.filter(
            legal_request=updated, set_aside_at__isnull=True
        ).update(set_aside_at=timezone.now())
        if set_aside:
            TimelineEntry.objects.create(
                legal_request=updated,
                event=TimelineEntry.Event.NOTE,
                status=updated.status,
                actor_label=actor.label,
                message=f"{set_aside} earlier approval(s) set aside until the answer is reviewed.",
                public=False,
            )
    return updated


def legal_request_answer_clarification(
    *, actor: Actor, legal_request: LegalRequest, answer: str
) -> LegalRequest:
    """The authority answers staff's question: back UNDER_REVIEW, and the clock resumes."""
    if not answer.strip():
        raise ValidationError({"answer": ValidationError("Write an answer.", code="required")})
    if len(answer) > MAX_MESSAGE_LENGTH:
        raise ValidationError(
            {
                "answer": ValidationError(
                    f"At most {MAX_MESSAGE_LENGTH} characters.", code="max_length"
                )
            }
        )
    return legal_request_transition(
        actor=actor, legal_request=legal_request, to_status=S.UNDER_REVIEW, reason=answer.strip()
    )


def legal_request_withdraw(*, actor: Actor, legal_request: LegalRequest) -> LegalRequest:
    """The requesting organization withdraws its request (any time before fulfilment)."""
    organization = actor.organization
    return legal_request_transition(
        actor=actor,
        legal_request=legal_request,
        to_status=S.WITHDRAWN,
        reason=f"Withdrawn by {organization.name if organization else 'the organization'}.",
    )


def legal_request_record_callback(
    *,
    actor: Actor,
    legal_request: LegalRequest,
    officer_name: str,
    confirmed: bool,
    notes: str = "",
) -> CallbackVerification:
    """Record the out-of-band call to the organization's registered number (from the portal's
    records, never from the request) that confirmed an emergency request, and whom it reached."""
    require_staff(actor)
    errors: dict[str, ValidationError] = {}
    if not officer_name.strip():
        errors["officer_name"] = ValidationError("Name the officer you reached.", code="required")
    if not confirmed:
        errors["confirmed"] = ValidationError(
            "Record a callback only when the officer confirmed the request; otherwise reject it "
            "(CALLBACK_FAILED).",
            code="not_confirmed",
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = lock_request(legal_request)
        phone = locked.organization.callback_phone
        if not phone:
            raise ValidationError(
                "The organization has no registered callback number; register one (staff, "
                "Organizations) before recording a callback.",
                code="no_callback_phone",
            )
        if locked.status not in (S.UNDER_REVIEW, S.NEEDS_INFO, S.APPROVED):
            raise ValidationError(
                f"A callback is recorded during review (the request is {locked.status}).",
                code="invalid_status",
            )
        callback = CallbackVerification.objects.create(
            legal_request=locked,
            phone_called=phone,
            officer_name=officer_name.strip()[:200],
            called_by=actor.user,
            notes=notes,
        )
        TimelineEntry.objects.create(
            legal_request=locked,
            event=TimelineEntry.Event.CALLBACK_RECORDED,
            status=locked.status,
            actor_label=actor.label,
            message=f"Called {phone}; reached {callback.officer_name}, who confirmed the request.",
            public=False,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CALLBACK_RECORDED,
            object_type="LegalRequest",
            object_id=locked.pk,
            organization_id=locked.organization_id,
            details={"phone_called": phone, "officer_name": callback.officer_name},
        )
    return callback
