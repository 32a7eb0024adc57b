"""The console's writes: requests for access, the staff call that verifies them, invitations.

Everything a member does to requests, tokens, members and the webhook goes through the same
liaison services as the API (submission, review, documents, tokens, organizations,
notifications); this module holds only what the console adds: getting access.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from console import selectors as console_selectors
from console.models import AccessRequest, Invitation, VerificationCall
from core.actors import Actor
from liaison import instruments, organizations, permissions
from liaison.audit import audit_record
from liaison.models import Membership, Organization, OrganizationKind

DOMAIN_RE = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
AUDIT_ACCESS_REQUESTED = "organization.access_requested"
AUDIT_VERIFICATION_CALL = "organization.verification_call"
AUDIT_MEMBER_INVITED = "organization.member_invited"
AUDIT_INVITATION_ACCEPTED = "organization.invitation_accepted"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def console_actor(membership: Membership) -> Actor:
    """The actor of a member signed in to the console: the same Actor the API builds from one
    of the member's tokens, without a token."""
    return Actor(
        user=membership.user, organization=membership.organization, membership_id=membership.pk
    )


# Getting access ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccessApplication:
    """A request for access as the public form sends it, before validation."""

    kind: str
    name: str
    country: str
    official_domain: str
    registry_identifier: str
    switchboard_phone: str
    directory_source: str
    applicant_name: str
    applicant_email: str
    applicant_role: str
    notes: str = ""


def access_request_submit(*, application: AccessApplication, base_url: str) -> AccessRequest:
    """Create a PENDING organization and the evidence staff need to verify it, atomically, and
    tell the staff who verify organizations (after commit, by e-mail with the admin link), so
    that nobody has to watch the list.

    Every bad field is named at once; the switchboard number is stored in E.164. Nobody is
    verified and nobody is invited here: staff call the organization first."""
    errors: dict[str, list[ValidationError]] = {}

    def fail(field: str, message: str, code: str = "invalid") -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    texts = {
        "name": (application.name, 200),
        "registry_identifier": (application.registry_identifier, 200),
        "directory_source": (application.directory_source, 500),
        "applicant_name": (application.applicant_name, 200),
        "applicant_role": (application.applicant_role, 200),
    }
    for field, (value, limit) in texts.items():
        if not value.strip():
            fail(field, "This field is required.", "required")
        elif len(value) > limit:
            fail(field, f"At most {limit} characters.", "max_length")
    if len(application.notes) > 5000:
        fail("notes", "At most 5000 characters.", "max_length")
    if application.kind not in OrganizationKind.values:
        fail("kind", f"Kind must be one of {', '.join(OrganizationKind.values)}.", "invalid_choice")
    domain = application.official_domain.strip().lower().removeprefix("www.").rstrip(".")
    if not DOMAIN_RE.match(domain):
        fail("official_domain", "Write the domain alone, e.g. police.example.gov.", "invalid")
    email = application.applicant_email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        fail("applicant_email", "Enter a valid e-mail address.", "invalid")
    country: str | None = None
    try:
        country = instruments.validate_country(application.country, field="country")
    except ValidationError as error:
        error.update_error_dict(errors)
    phone = ""
    if not application.switchboard_phone.strip():
        fail("switchboard_phone", "This field is required.", "required")
    else:
        try:
            phone = instruments.normalize_target(
                "PHONE_NUMBER", application.switchboard_phone, region=country
            )
        except instruments.TargetError as error:
            fail("switchboard_phone", str(error), "invalid_phone")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        organization = organizations.organization_register(
            kind=application.kind,
            name=application.name,
            country=country or "",
            contact_email=email,
        )
        access_request = AccessRequest.objects.create(
            organization=organization,
            applicant_name=application.applicant_name.strip(),
            applicant_email=email,
            applicant_role=application.applicant_role.strip(),
            official_domain=domain,
            registry_identifier=application.registry_identifier.strip(),
            switchboard_phone=phone,
            directory_source=application.directory_source.strip(),
            notes=application.notes.strip(),
        )
        audit_record(
            actor=None,
            actor_label=f"applicant {email}",
            action=AUDIT_ACCESS_REQUESTED,
            object_type="AccessRequest",
            object_id=access_request.pk,
            organization_id=organization.pk,
            details={"domain": domain, "switchboard_phone": phone},
        )
        transaction.on_commit(lambda: _tell_verifiers(access_request, base_url))
    return access_request


def _tell_verifiers(access_request: AccessRequest, base_url: str) -> None:
    recipients = console_selectors.access_request_verifier_emails()
    if not recipients:
        return
    organization = access_request.organization
    link = base_url.rstrip("/") + reverse(
        "admin:console_accessrequest_change", args=[access_request.pk]
    )
    send_mail(
        subject=f"[Liaison Portal] Request for access to verify: {organization.name}",
        message=(
            f"{organization.name} ({organization.get_kind_display()}, {organization.country}) "
            "asks for access to the Liaison Portal.\n\n"
            f"Look its switchboard number up yourself, call it, and record the call:\n{link}\n\n"
            "Do not rely on the number or the e-mail address in the application alone.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )


def access_request_record_call(
    *,
    actor: Actor,
    access_request: AccessRequest,
    dialled_number: str,
    number_source: str,
    person_reached: str,
    confirmed: bool,
    notes: str = "",
    base_url: str,
) -> VerificationCall:
    """Record the call staff made to the applicant's switchboard at a number THEY sourced.

    A confirmed call verifies the organization (its callback number becomes the dialled one),
    and invites the applicant as its first administrator by e-mail with a one-time link; an
    unconfirmed one rejects the request. Each call is written to the audit log. Callback
    officers make these calls (the permission of the emergency callbacks)."""
    permissions.require(actor, permissions.can_record_callback)
    errors: dict[str, list[ValidationError]] = {}
    phone = ""
    try:
        phone = instruments.normalize_target(
            "PHONE_NUMBER", dialled_number, region=access_request.organization.country
        )
    except instruments.TargetError as error:
        errors["dialled_number"] = [ValidationError(str(error), code="invalid_phone")]
    for field, value in (("number_source", number_source), ("person_reached", person_reached)):
        if not value.strip():
            errors[field] = [ValidationError("This field is required.", code="required")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = AccessRequest.objects.select_for_update().get(pk=access_request.pk)
        if locked.state != AccessRequest.State.PENDING:
            raise ValidationError(
                f"This request for access is already {locked.get_state_display().lower()}.",
                code="already_decided",
            )
        call = VerificationCall.objects.create(
            access_request=locked,
            dialled_number=phone,
            number_source=number_source.strip(),
            person_reached=person_reached.strip(),
            confirmed=confirmed,
            notes=notes.strip(),
            called_by=actor.user,
        )
        organization = locked.organization
        locked.state = AccessRequest.State.VERIFIED if confirmed else AccessRequest.State.REJECTED
        locked.decided_at = timezone.now()
        locked.save(update_fields=["state", "decided_at"])
        audit_record(
            actor=actor,
            action=AUDIT_VERIFICATION_CALL,
            object_type="AccessRequest",
            object_id=locked.pk,
            organization_id=organization.pk,
            details={
                "dialled_number": phone,
                "number_source": call.number_source,
                "applicant_number": locked.switchboard_phone,
                "person_reached": call.person_reached,
                "confirmed": confirmed,
            },
        )
        if confirmed:
            organization.callback_phone = phone
            organization.save(update_fields=["callback_phone"])
            organizations.organization_verify(organization=organization, verified_by=actor.user)
            invitation_create(
                actor=actor,
                organization=organization,
                email=locked.applicant_email,
                role=Membership.Role.ADMIN,
                base_url=base_url,
            )
    return call


# Invitations ---------------------------------------------------------------------------------


def invitation_accept_path(token: str) -> str:
    """The path of an invitation's one-time link."""
    return reverse("console:invitation-accept", kwargs={"token": token})


def invitation_create(
    *,
    actor: Actor,
    organization: Organization,
    email: str,
    role: str = Membership.Role.MEMBER,
    base_url: str,
) -> Invitation:
    """Invite a person to join `organization` with `role`: e-mail them a one-time link (sent
    after commit). Organization admins invite into their own organization; staff (the
    verification call) invite the first admin."""
    if actor.is_platform_staff:
        # Staff invite an organization's first admin when they verify it (the callback call).
        permissions.require(actor, permissions.can_record_callback)
    else:
        organizations.require_organization_admin(actor)
        if actor.organization_id != organization.pk:
            raise ValidationError("Only an administrator of your organization may do this.")
    address = email.strip().lower()
    try:
        validate_email(address)
    except ValidationError as error:
        raise ValidationError(
            {"email": ValidationError("Enter a valid e-mail address.", code="invalid")}
        ) from error
    if role not in Membership.Role.values:
        raise ValidationError({"role": ValidationError("Choose a role.", code="invalid_choice")})
    if Membership.objects.filter(
        organization=organization, user__email__iexact=address, is_active=True
    ).exists():
        raise ValidationError(
            {"email": ValidationError("This person is already a member.", code="member")}
        )
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organization=organization,
            email=address,
            role=role,
            token_hash=_hash(token),
            invited_by=actor.user,
            expires_at=timezone.now() + settings.CONSOLE_INVITATION_LIFETIME,
        )
        audit_record(
            actor=actor,
            action=AUDIT_MEMBER_INVITED,
            object_type="Invitation",
            object_id=invitation.pk,
            organization_id=organization.pk,
            details={"email": address, "role": role},
        )
        link = base_url.rstrip("/") + invitation_accept_path(token)
        days = settings.CONSOLE_INVITATION_LIFETIME.days
        transaction.on_commit(
            lambda: send_mail(
                subject=f"[Liaison Portal] You are invited to {organization.name}",
                message=(
                    f"You are invited to join {organization.name} on the Liaison Portal as "
                    f"{Membership.Role(role).label.lower()}.\n\n"
                    f"Open this link to choose your password (it works once, for {days} days):"
                    f"\n{link}\n\n"
                    "You will then set up a second factor (an authenticator app or a passkey): "
                    "the console always asks for it.\n\n"
                    "If you did not expect this e-mail, ignore it.\n"
                ),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[address],
            )
        )
    return invitation


def invitation_get_open(*, token: str) -> Invitation | None:
    """The open invitation a link's token stands for, or None (used, expired, revoked, wrong)."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.open()
        .select_related("organization")
        .filter(token_hash=_hash(token))
        .first()
    )


def invitation_accept(*, token: str, password: str, password_again: str) -> Membership:
    """Accept an invitation: the person's account (created, or given this password if it never
    had one), an active membership with the invited role; the link is used up."""
    invitation = invitation_get_open(token=token)
    if invitation is None:
        raise ValidationError(
            "This invitation link is used, expired or unknown. Ask your administrator for a new "
            "one.",
            code="invitation_invalid",
        )
    user_model = get_user_model()
    user: Any = user_model.objects.filter(email__iexact=invitation.email).first()
    # (An account made by a command has an empty password: it never had one to sign in with.)
    if user is not None and user.password and user.has_usable_password():
        raise ValidationError(
            "You already have an account: sign in first, then open the link again.",
            code="account_exists",
        )
    if password != password_again:
        raise ValidationError(
            {"password_again": ValidationError("The passwords differ.", code="mismatch")}
        )
    candidate = user or user_model(username=invitation.email, email=invitation.email)
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as error:
        raise ValidationError({"password": error.error_list}) from error
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at is not None:
            raise ValidationError("This invitation link is used.", code="invitation_invalid")
        candidate.set_password(password)
        candidate.save()
        return _join(locked, candidate)


def invitation_accept_signed_in(*, token: str, user: Any) -> Membership:
    """Accept an invitation for a person who already has an account and is signed in as the
    invited address."""
    invitation = invitation_get_open(token=token)
    if invitation is None or (user.email or "").lower() != invitation.email:
        raise ValidationError(
            "This invitation link is used, expired, unknown, or for another address.",
            code="invitation_invalid",
        )
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at is not None:
            raise ValidationError("This invitation link is used.", code="invitation_invalid")
        return _join(locked, user)


def _join(invitation: Invitation, user: Any) -> Membership:
    membership, _ = Membership.objects.get_or_create(
        organization=invitation.organization, user=user, defaults={"role": invitation.role}
    )
    membership.role = invitation.role
    membership.is_active = True
    membership.save(update_fields=["role", "is_active"])
    invitation.accepted_at = timezone.now()
    invitation.membership = membership
    invitation.save(update_fields=["accepted_at", "membership"])
    audit_record(
        actor=console_actor(membership),
        action=AUDIT_INVITATION_ACCEPTED,
        object_type="Invitation",
        object_id=invitation.pk,
        organization_id=invitation.organization_id,
        details={"email": invitation.email, "role": invitation.role},
    )
    return membership


def invitation_revoke(*, actor: Actor, invitation: Invitation) -> Invitation:
    """An organization admin withdraws an open invitation of its organization."""
    organizations.require_organization_admin(actor)
    if invitation.organization_id != actor.organization_id:
        raise ValidationError("No invitation with this id.", code="not_found")
    if invitation.revoked_at is None and invitation.accepted_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation
