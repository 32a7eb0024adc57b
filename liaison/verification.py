"""Verification: the hold of a suspicious request until its callback, and the audited changes
to what the intake checks rely on (an organization's e-mail domain, webhook, contact, and its
callback number, which takes a second staff member's approval).

Every change here is written to the audit log with what it was before and after.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.actors import Actor
from liaison import instruments, permissions
from liaison.audit import AuditAction, audit_record
from liaison.intake_signals import VERIFIED_NOTICE
from liaison.lifecycle import require_staff
from liaison.models import (
    CallbackNumberChange,
    CallbackVerification,
    IntakeAssessment,
    LegalRequest,
    Organization,
    TimelineEntry,
)

# The organization's fields staff edit through `organization_change` (the callback number has
# its own two-person path; verification its own services).
CHANGEABLE_FIELDS = ("name", "country", "email_domain", "webhook_url", "contact_email")


# The hold ----------------------------------------------------------------------------------------


def intake_hold_release(
    *, actor: Actor, legal_request: LegalRequest, callback: CallbackVerification
) -> IntakeAssessment | None:
    """A recorded callback lifts the request's hold (in the callback's transaction): the
    organization's timeline says that verification is complete. None when it was not held."""
    assessment = (
        IntakeAssessment.objects.select_for_update()
        .filter(legal_request_id=legal_request.pk, held=True, verified_at__isnull=True)
        .first()
    )
    if assessment is None:
        return None
    now = timezone.now()
    assessment.verified_at = now
    assessment.verified_by_callback = callback
    assessment.save(update_fields=["verified_at", "verified_by_callback"])
    TimelineEntry.objects.create(
        legal_request=legal_request,
        event=TimelineEntry.Event.VERIFICATION,
        status=legal_request.status,
        actor_label="Platform verification",
        message=VERIFIED_NOTICE,
        at=now,
    )
    audit_record(
        actor=actor,
        action=AuditAction.VERIFICATION_COMPLETED,
        object_type="LegalRequest",
        object_id=legal_request.pk,
        organization_id=legal_request.organization_id,
        details={"callback_id": callback.pk, "phone_called": callback.phone_called},
    )
    return assessment


# What the checks rely on -------------------------------------------------------------------------


def _normalise_domain(value: str) -> str:
    domain = value.strip().lstrip("@").rstrip(".").casefold()
    if domain and (
        "." not in domain
        or any(not part or len(part) > 63 for part in domain.split("."))
        or not all(ch.isalnum() or ch in "-." for ch in domain)
    ):
        raise ValidationError(
            {
                "email_domain": ValidationError(
                    f"{value!r} is not a domain (e.g. polizei.example).", code="invalid_domain"
                )
            }
        )
    return domain


def organization_change(
    *, actor: Actor, organization: Organization, changes: dict[str, Any]
) -> Organization:
    """Change an organization's name, country, registered e-mail domain, webhook URL or contact
    e-mail, with field-level validation; each change is audited with its old and new value."""
    require_staff(actor)
    permissions.require(actor, permissions.can_change_organization)
    unknown = set(changes) - set(CHANGEABLE_FIELDS)
    if unknown:
        raise ValidationError(
            {field: ValidationError("Not changed here.", code="invalid") for field in unknown}
        )
    values = dict(changes)
    if "country" in values:
        values["country"] = instruments.validate_country(str(values["country"]), field="country")
    if "email_domain" in values:
        values["email_domain"] = _normalise_domain(str(values["email_domain"] or ""))
    with transaction.atomic():
        locked = Organization.objects.select_for_update().get(pk=organization.pk)
        before = {field: getattr(locked, field) for field in values}
        for field, value in values.items():
            setattr(locked, field, value)
        locked.full_clean(
            exclude=[f.name for f in Organization._meta.fields if f.name not in values]
        )
        changed = {f: v for f, v in values.items() if before[f] != v}
        if changed:
            locked.save(update_fields=sorted(changed))
            audit_record(
                actor=actor,
                action=AuditAction.ORGANIZATION_CHANGED,
                object_type="Organization",
                object_id=locked.pk,
                organization_id=locked.pk,
                details={"changes": {f: {"from": before[f], "to": v} for f, v in changed.items()}},
            )
    for field, value in values.items():
        setattr(organization, field, value)
    return organization


def normalise_callback_phone(phone: str, country: str) -> str:
    """A callback number in E.164 (`country` is the region of a number without +), or a
    ValidationError on `new_phone`."""
    try:
        return instruments.normalize_target("PHONE_NUMBER", phone, region=country)
    except instruments.TargetError as error:
        raise ValidationError(
            {"new_phone": ValidationError(str(error), code="invalid_phone")}
        ) from error


def callback_number_change_request(
    *, actor: Actor, organization: Organization, new_phone: str, reason: str = ""
) -> CallbackNumberChange:
    """Ask to change the organization's registered callback number (normalised to E.164 with
    its country as the default region). Nothing changes until another staff member approves."""
    require_staff(actor)
    permissions.require(actor, permissions.can_change_organization)
    phone = normalise_callback_phone(new_phone, organization.country)
    if phone == organization.callback_phone:
        raise ValidationError(
            {"new_phone": ValidationError("That is the registered number already.", code="same")}
        )
    try:
        with transaction.atomic():
            change = CallbackNumberChange.objects.create(
                organization=organization,
                old_phone=organization.callback_phone,
                new_phone=phone,
                reason=reason.strip(),
                requested_by=actor.user,
            )
            audit_record(
                actor=actor,
                action=AuditAction.CALLBACK_NUMBER_CHANGE_REQUESTED,
                object_type="Organization",
                object_id=organization.pk,
                organization_id=organization.pk,
                details={"change_id": change.pk, "from": change.old_phone, "to": phone},
            )
    except IntegrityError as error:
        raise ValidationError(
            {
                "new_phone": ValidationError(
                    "A change of this organization's callback number is already waiting for "
                    "approval; approve or reject it first.",
                    code="change_pending",
                )
            }
        ) from error
    return change


def _pending_locked(change: CallbackNumberChange) -> CallbackNumberChange:
    locked = (
        CallbackNumberChange.objects.select_for_update()
        .select_related("organization")
        .get(pk=change.pk)
    )
    if locked.state != CallbackNumberChange.State.PENDING:
        raise ValidationError(
            f"This change was already {locked.get_state_display().lower()}.", code="decided"
        )
    return locked


def callback_number_change_approve(
    *, actor: Actor, change: CallbackNumberChange
) -> CallbackNumberChange:
    """A second staff member (not the one who asked) approves the change: the organization's
    callback number becomes the new one, audited."""
    require_staff(actor)
    permissions.require(actor, permissions.can_change_organization)
    with transaction.atomic():
        locked = _pending_locked(change)
        if locked.requested_by_id == getattr(actor.user, "pk", None):
            raise ValidationError(
                "The change must be approved by a different staff member than the one who "
                "asked for it.",
                code="same_staff_member",
            )
        now = timezone.now()
        locked.state = CallbackNumberChange.State.APPROVED
        locked.decided_by = actor.user
        locked.decided_at = now
        locked.save(update_fields=["state", "decided_by", "decided_at"])
        organization = Organization.objects.select_for_update().get(pk=locked.organization_id)
        old_phone = organization.callback_phone
        organization.callback_phone = locked.new_phone
        organization.save(update_fields=["callback_phone"])
        audit_record(
            actor=actor,
            action=AuditAction.CALLBACK_NUMBER_CHANGE_APPROVED,
            object_type="Organization",
            object_id=organization.pk,
            organization_id=organization.pk,
            details={
                "change_id": locked.pk,
                "from": old_phone,
                "to": locked.new_phone,
                "requested_by": locked.requested_by_id,
            },
        )
    return locked


def callback_number_change_reject(
    *, actor: Actor, change: CallbackNumberChange
) -> CallbackNumberChange:
    """Refuse a pending change (any staff member who may change organizations); audited."""
    require_staff(actor)
    permissions.require(actor, permissions.can_change_organization)
    with transaction.atomic():
        locked = _pending_locked(change)
        locked.state = CallbackNumberChange.State.REJECTED
        locked.decided_by = actor.user
        locked.decided_at = timezone.now()
        locked.save(update_fields=["state", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            action=AuditAction.CALLBACK_NUMBER_CHANGE_REJECTED,
            object_type="Organization",
            object_id=locked.organization_id,
            organization_id=locked.organization_id,
            details={"change_id": locked.pk, "to": locked.new_phone},
        )
    return locked
