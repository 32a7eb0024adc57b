"""The staff decisions of the legal review (analysis, approvals, rejection, clarification,
callback) and the organization's answers (clarification, withdrawal)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.actors import Actor
from liaison import instruments, permissions, verification
from liaison.audit import AuditAction, audit_record
from liaison.lifecycle import (
    MAX_MESSAGE_LENGTH,
    S,
    legal_request_transition,
    lock_request,
    require_staff,
)
from liaison.models import (
    Approval,
    CallbackVerification,
    CannotComplyNotice,
    LegalAnalysis,
    LegalRequest,
    RejectionReason,
    TimelineEntry,
)
from liaison.review_policy import current_policy, distinct_approvers

# The review steps that do not move the request, and the statuses in which they are recorded.
ANALYSIS_STATUSES = frozenset({S.UNDER_REVIEW, S.NEEDS_INFO})
CALLBACK_STATUSES = frozenset({S.UNDER_REVIEW, S.NEEDS_INFO, S.APPROVED})


def legal_request_start_review(
    *, actor: Actor, legal_request: LegalRequest, note: str = ""
) -> LegalRequest:
    """Staff take a routed request into legal review."""
    require_staff(actor)
    permissions.require(actor, permissions.can_start_review)
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
    permissions.require(actor, permissions.can_record_analysis)
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
        if locked.status not in ANALYSIS_STATUSES:
            raise ValidationError(
                f"The analysis is recorded while the request is under review (it is "
                f"{locked.status}).",
                code="invalid_status",
            )
        if legal_basis_valid:
            _require_document(locked)
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


def _require_document(legal_request: LegalRequest) -> None:
    """ "Legal basis and document valid" cannot be attested without the document, for the
    instruments whose law requires one (an EPOC certificate, a removal order, a court order...):
    a field error on `legal_basis_valid` otherwise."""
    code = legal_request.instrument or instruments.instrument_infer(
        kind=legal_request.kind,
        category=legal_request.category,
        jurisdiction=legal_request.jurisdiction,
    )
    rule = instruments.LEGAL_INSTRUMENTS.get(code)
    if rule is None or not rule.document_required or legal_request.documents.exists():
        return
    raise ValidationError(
        {
            "legal_basis_valid": ValidationError(
                f"A request under {rule.label} needs its signed legal document "
                f"({rule.document_source}), and none is attached: ask the authority to attach "
                "it (a clarification) before confirming the legal basis.",
                code="document_required",
            )
        }
    )


def _checklist_snapshot(analysis: LegalAnalysis) -> dict[str, Any]:
    names = [name for name, _ in current_policy().checks]
    return {
        name: getattr(analysis, name) for name in (*names, "moderation_reference", "policy_version")
    }


def legal_request_approve(*, actor: Actor, legal_request: LegalRequest, note: str = "") -> Approval:
    """Record one staff member's approval; the request becomes APPROVED once the policy's number
    of different approvers is reached (two for disclosure). The same person twice is refused."""
    require_staff(actor)
    permissions.require(actor, permissions.can_approve_legal_request)
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
    """Refuse a request under review with a reason code (and a note for OTHER). A reason that
    says something about the targets (not identifiable, no rule broken) waits for the callback
    of a request held for verification (`lifecycle.TARGET_FACT_REJECTIONS`)."""
    require_staff(actor)
    permissions.require(actor, permissions.can_reject_legal_request)
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
    permissions.require(actor, permissions.can_ask_clarification)
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
    with transaction.atomic():
        updated = legal_request_transition(
            actor=actor,
            legal_request=legal_request,
            to_status=S.UNDER_REVIEW,
            reason=answer.strip(),
        )
        # An answer to a cannot-comply (Annex III) is the authority's correction.
        _close_cannot_comply(
            updated, CannotComplyNotice.Resolution.CORRECTED, correction=answer.strip()
        )
    return updated


def _close_cannot_comply(
    legal_request: LegalRequest, resolution: str, correction: str = ""
) -> None:
    CannotComplyNotice.objects.filter(
        legal_request_id=legal_request.pk, resolved_at__isnull=True
    ).update(resolution=resolution, resolved_at=timezone.now(), correction=correction)


def legal_request_withdraw(*, actor: Actor, legal_request: LegalRequest) -> LegalRequest:
    """The requesting organization withdraws its request (any time before fulfilment)."""
    organization = actor.organization
    with transaction.atomic():
        updated = legal_request_transition(
            actor=actor,
            legal_request=legal_request,
            to_status=S.WITHDRAWN,
            reason=f"Withdrawn by {organization.name if organization else 'the organization'}.",
        )
        _close_cannot_comply(updated, CannotComplyNotice.Resolution.WITHDRAWN)
    return updated


def legal_request_record_callback(
    *,
    actor: Actor,
    legal_request: LegalRequest,
    officer_name: str,
    confirmed: bool,
    notes: str = "",
) -> CallbackVerification:
    """Record the out-of-band call to the organization's registered number (from the portal's
    records, never from the request) that confirmed an emergency request, or any request held
    for verification at intake (whose hold it lifts), and whom it reached."""
    require_staff(actor)
    permissions.require(actor, permissions.can_record_callback)
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
        if locked.status not in CALLBACK_STATUSES:
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
        # The same callback verifies a request held at intake (any kind): its hold lifts.
        verification.intake_hold_release(actor=actor, legal_request=locked, callback=callback)
    return callback
