"""Cannot comply (e-Evidence Regulation, Annex III): staff tell the authority that its request
cannot be executed, on one of the Annex III grounds, with an explanation. The request waits for
the authority (NEEDS_INFO, the clock paused): it corrects the request (which resumes the review)
or withdraws it. The authority sees the ground (`LegalRequest.cannotComply`)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from core.actors import Actor
from liaison import intake_signals, permissions, review
from liaison.audit import AuditAction, audit_record
from liaison.lifecycle import MAX_MESSAGE_LENGTH, lock_request, require_staff
from liaison.models import CannotComplyGround, CannotComplyNotice, LegalRequest, RequestStatus


def _text(field: str, value: str, what: str) -> str:
    if not value.strip():
        raise ValidationError({field: ValidationError(what, code="required")})
    if len(value) > MAX_MESSAGE_LENGTH:
        raise ValidationError(
            {field: ValidationError(f"At most {MAX_MESSAGE_LENGTH} characters.", code="max_length")}
        )
    return value.strip()


def legal_request_cannot_comply(
    *, actor: Actor, legal_request: LegalRequest, ground: str, explanation: str
) -> CannotComplyNotice:
    """Answer that a request under review cannot be executed on an Annex III ground: it waits
    for the authority's correction or withdrawal (NEEDS_INFO, the clock paused, approvals set
    aside), and its timeline tells the authority the ground and the explanation. "Data not
    stored" says something about the targets: refused while the request is held for
    verification (`intake_signals.target_answer_refusal`)."""
    require_staff(actor)
    permissions.require(actor, permissions.can_ask_clarification)
    if ground not in CannotComplyGround.values:
        raise ValidationError(
            {"ground": ValidationError("Choose an Annex III ground.", code="invalid_choice")}
        )
    text = _text("explanation", explanation, "Explain why the request cannot be executed.")
    label = CannotComplyGround(ground).label
    with transaction.atomic():
        locked = lock_request(legal_request)
        if locked.status != RequestStatus.UNDER_REVIEW:
            raise ValidationError(
                f"Cannot-comply is answered during review (the request is {locked.status}).",
                code="invalid_status",
            )
        if ground == CannotComplyGround.DATA_NOT_STORED:
            held = intake_signals.target_answer_refusal(locked)
            if held is not None:
                raise ValidationError(
                    {"ground": ValidationError(held, code="held_for_verification")}
                )
        review.legal_request_ask_clarification(
            actor=actor,
            legal_request=locked,
            question=f"Cannot comply (e-Evidence Annex III): {label}. {text}",
        )
        notice = CannotComplyNotice.objects.create(
            legal_request=locked, ground=ground, explanation=text, raised_by=actor.user
        )
        audit_record(
            actor=actor,
            action=AuditAction.CANNOT_COMPLY,
            object_type="LegalRequest",
            object_id=locked.pk,
            organization_id=locked.organization_id,
            details={"ground": ground, "notice_id": notice.pk},
        )
    return notice


CORRECTABLE = {"legal_basis": ("legalBasis", 300), "summary": ("summary", 10_000)}


def legal_request_correct(
    *,
    actor: Actor,
    legal_request: LegalRequest,
    correction: str,
    legal_basis: str | None = None,
    summary: str | None = None,
) -> LegalRequest:
    """The authority corrects a request staff could not execute: optionally its legal basis
    and summary (audited, old and new), with a note of what it corrected; the review resumes
    (the clock too) with the correction on the timeline, and the notice is closed."""
    text = _text("correction", correction, "Say what you corrected.")
    changes: dict[str, str] = {}
    for name, value in (("legal_basis", legal_basis), ("summary", summary)):
        if value is None:
            continue
        field, limit = CORRECTABLE[name]
        if not value.strip():
            raise ValidationError(
                {field: ValidationError("Leave it out or fill it in.", code="blank")}
            )
        if len(value) > limit:
            raise ValidationError(
                {field: ValidationError(f"At most {limit} characters.", code="max_length")}
            )
        changes[name] = value.strip()
    with transaction.atomic():
        locked = lock_request(legal_request)
        if not CannotComplyNotice.objects.filter(
            legal_request_id=locked.pk, resolved_at__isnull=True
        ).exists():
            raise ValidationError(
                {
                    "id": ValidationError(
                        "This request has no open cannot-comply answer to correct.",
                        code="nothing_to_correct",
                    )
                }
            )
        changed = {f: v for f, v in changes.items() if getattr(locked, f) != v}
        if changed:
            before = {f: getattr(locked, f) for f in changed}
            for field_name, value in changed.items():
                setattr(locked, field_name, value)
            locked.save(update_fields=sorted(changed))
            audit_record(
                actor=actor,
                action=AuditAction.CORRECTED,
                object_type="LegalRequest",
                object_id=locked.pk,
                organization_id=locked.organization_id,
                details={"changes": {f: {"from": before[f], "to": v} for f, v in changed.items()}},
            )
        return review.legal_request_answer_clarification(
            actor=actor, legal_request=locked, answer=f"Correction: {text}"
        )
