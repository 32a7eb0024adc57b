"""The tenants' writes: register and verify organizations, add members; an organization's
administrators manage their members' roles, contacts and webhook."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from core.actors import Actor, internal_label
from core.errors import NotFound
from liaison import instruments, notifications
from liaison.audit import AuditAction, audit_record
from liaison.models import Membership, Organization, OrganizationKind


def organization_register(
    *,
    kind: str,
    name: str,
    country: str,
    callback_phone: str = "",
    contact_email: str = "",
    verified_by: AbstractBaseUser | None = None,
    verify: bool = False,
    slug: str | None = None,
) -> Organization:
    """Register an authority or NGO with a unique slug; optionally verify it at once.

    The slug is made from the name and country unless one is given (the demo data's fixed
    slugs), which must then be a free slug."""
    errors: dict[str, list[ValidationError]] = {}
    if kind not in OrganizationKind.values:
        errors["kind"] = [
            ValidationError(f"Kind must be one of {', '.join(OrganizationKind.values)}.")
        ]
    if not name.strip():
        errors["name"] = [ValidationError("A name is required.")]
    code: str | None = None
    try:
        code = instruments.validate_country(country, field="country")
    except ValidationError as error:
        error.update_error_dict(errors)
    phone = ""
    if callback_phone:
        try:
            phone = instruments.normalize_target("PHONE_NUMBER", callback_phone)
        except instruments.TargetError as error:
            errors["callback_phone"] = [ValidationError(str(error))]
    if slug is not None and (slug != slugify(slug) or not slug or len(slug) > 80):
        errors["slug"] = [ValidationError(f"{slug!r} is not a slug (e.g. demo-bka).")]
    elif slug is not None and Organization.objects.filter(slug=slug).exists():
        errors["slug"] = [ValidationError(f"The slug {slug!r} is taken.", code="unique")]
    if errors or code is None:
        raise ValidationError(errors)
    if slug is None:
        base = slugify(f"{name}-{code}")[:70] or "organization"
        slug, n = base, 1
        while Organization.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
    with transaction.atomic():
        organization = Organization.objects.create(
            slug=slug,
            name=name.strip(),
            kind=kind,
            country=code,
            callback_phone=phone,
            contact_email=contact_email,
        )
        audit_record(
            actor=None,
            actor_label=_who(verified_by),
            action=AuditAction.ORGANIZATION_CHANGED,
            object_type="Organization",
            object_id=organization.pk,
            organization_id=organization.pk,
            details={
                "registered": True,
                "changes": {
                    "kind": {"from": "", "to": kind},
                    "country": {"from": "", "to": code},
                    "callback_phone": {"from": "", "to": phone},
                    "contact_email": {"from": "", "to": contact_email},
                },
            },
        )
        if verify:
            organization_verify(organization=organization, verified_by=verified_by)
    return organization


def _who(user: AbstractBaseUser | AnonymousUser | None) -> str:
    """Who acted, for the audit log: the staff member, or the command line."""
    if isinstance(user, AbstractBaseUser):
        return internal_label(user)
    return "command line"


def organization_verify(
    *, organization: Organization, verified_by: AbstractBaseUser | AnonymousUser | None
) -> Organization:
    """Mark an organization verified by platform staff: it may now submit requests (audited)."""
    previous = organization.verification
    organization.verification = Organization.Verification.VERIFIED
    organization.verified_at = timezone.now()
    organization.verified_by = verified_by if isinstance(verified_by, AbstractBaseUser) else None  # type: ignore[assignment]
    with transaction.atomic():
        organization.save(update_fields=["verification", "verified_at", "verified_by"])
        _audit_verification(
            organization, AuditAction.ORGANIZATION_VERIFIED, previous, by=verified_by
        )
    return organization


def organization_unverify(
    *,
    organization: Organization,
    unverified_by: AbstractBaseUser | AnonymousUser | None = None,
) -> Organization:
    """Withdraw an organization's verification: it can still read, but no longer submit
    (audited)."""
    previous = organization.verification
    organization.verification = Organization.Verification.PENDING
    organization.verified_at = None
    organization.verified_by = None
    with transaction.atomic():
        organization.save(update_fields=["verification", "verified_at", "verified_by"])
        _audit_verification(
            organization, AuditAction.ORGANIZATION_UNVERIFIED, previous, by=unverified_by
        )
    return organization


def _audit_verification(
    organization: Organization,
    action: str,
    previous: str,
    *,
    by: AbstractBaseUser | AnonymousUser | None,
) -> None:
    audit_record(
        actor=None,
        actor_label=_who(by),
        action=action,
        object_type="Organization",
        object_id=organization.pk,
        organization_id=organization.pk,
        details={
            "from": previous,
            "to": organization.verification,
            "by_user_id": getattr(by, "pk", None) if isinstance(by, AbstractBaseUser) else None,
        },
    )


def member_ensure(*, organization: Organization, email: str) -> Membership:
    """The membership of the user with this e-mail in the organization, created if missing."""
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError({"email": f"{email!r} is not an e-mail address."}) from error
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(
        username=email.lower(), defaults={"email": email.lower()}
    )
    membership, _ = Membership.objects.get_or_create(organization=organization, user=user)
    return membership


# The organization's own administration (the console's admin pages) --------------------------


# What an organization's admins change, in the audit log.
AUDIT_MEMBER_ROLE_SET = "organization.member_role_set"
AUDIT_MEMBER_ACTIVE_SET = "organization.member_active_set"
AUDIT_CONTACTS_SET = "organization.contacts_set"
AUDIT_WEBHOOK_SET = "organization.webhook_set"
AUDIT_WEBHOOK_SECRET_ROTATED = "organization.webhook_secret_rotated"  # noqa: S105 - an action


def _audit(actor: Actor, action: str, object_type: str, object_id: object, **details: object):
    audit_record(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        organization_id=actor.organization_id,
        details=details,
    )


def membership_of(actor: Actor | None) -> Membership | None:
    """The actor's own active membership (a member acting for its organization), else None."""
    if actor is None or actor.membership_id is None or actor.organization_id is None:
        return None
    return (
        Membership.objects.select_related("organization", "user")
        .filter(pk=actor.membership_id, organization_id=actor.organization_id, is_active=True)
        .first()
    )


def is_organization_admin(actor: Actor | None) -> bool:
    """Whether the actor is an active administrator of its organization."""
    membership = membership_of(actor)
    return membership is not None and membership.role == Membership.Role.ADMIN


def require_organization_admin(actor: Actor | None) -> Membership:
    """The actor's admin membership, or the refusal (code `permission_denied`)."""
    membership = membership_of(actor)
    if membership is None or membership.role != Membership.Role.ADMIN:
        raise ValidationError(
            "Only an administrator of your organization may do this.", code="permission_denied"
        )
    return membership


def _other_active_admins(membership: Membership) -> bool:
    return (
        Membership.objects.filter(
            organization_id=membership.organization_id,
            role=Membership.Role.ADMIN,
            is_active=True,
            user__is_active=True,
        )
        .exclude(pk=membership.pk)
        .exists()
    )


def membership_set_role(*, actor: Actor, membership: Membership, role: str) -> Membership:
    """An organization admin sets a member's role; the last active admin stays an admin."""
    require_organization_admin(actor)
    if membership.organization_id != actor.organization_id:
        raise NotFound("No member with this id.", field="membership")
    if role not in Membership.Role.values:
        raise ValidationError(
            {"role": ValidationError(f"Role must be one of {', '.join(Membership.Role.values)}.")}
        )
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if (
            locked.role == Membership.Role.ADMIN
            and role != Membership.Role.ADMIN
            and not _other_active_admins(locked)
        ):
            raise ValidationError(
                {"role": ValidationError("The organization needs at least one administrator.")},
                code="last_admin",
            )
        locked.role = role
        locked.save(update_fields=["role"])
        _audit(actor, AUDIT_MEMBER_ROLE_SET, "Membership", locked.pk, role=role)
    return locked


def membership_set_active(*, actor: Actor, membership: Membership, active: bool) -> Membership:
    """An organization admin deactivates (or reactivates) a member. A deactivated member's
    tokens stop working at once (`ApiToken.objects.usable`) and the console refuses them; the
    last active admin cannot be deactivated."""
    require_organization_admin(actor)
    if membership.organization_id != actor.organization_id:
        raise NotFound("No member with this id.", field="membership")
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if (
            not active
            and locked.role == Membership.Role.ADMIN
            and locked.is_active
            and not _other_active_admins(locked)
        ):
            raise ValidationError(
                "The organization needs at least one active administrator.", code="last_admin"
            )
        locked.is_active = active
        locked.save(update_fields=["is_active"])
        _audit(actor, AUDIT_MEMBER_ACTIVE_SET, "Membership", locked.pk, active=active)
    return locked


def organization_contacts_set(*, actor: Actor, contact_email: str) -> Organization:
    """An organization admin sets where status e-mails go. The callback number is not theirs
    to change: staff verified it independently."""
    require_organization_admin(actor)
    email = contact_email.strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError as error:
            raise ValidationError(
                {"contact_email": ValidationError(f"{email!r} is not an e-mail address.")}
            ) from error
    organization = Organization.objects.get(pk=actor.organization_id or 0)
    organization.contact_email = email
    with transaction.atomic():
        organization.save(update_fields=["contact_email"])
        _audit(actor, AUDIT_CONTACTS_SET, "Organization", organization.pk, contact_email=email)
    return organization


def organization_webhook_set(*, actor: Actor, url: str) -> tuple[Organization, str | None]:
    """An organization admin sets (or clears, with "") its webhook URL, under the egress policy
    of the field (no internal addresses; https unless WEBHOOK_ALLOW_HTTP). A first URL gets a
    signing secret, returned once (None when the existing secret is kept)."""
    require_organization_admin(actor)
    organization = Organization.objects.get(pk=actor.organization_id or 0)
    organization.webhook_url = url.strip()
    if organization.webhook_url:
        organization.full_clean(
            exclude=[f.name for f in Organization._meta.fields if f.name != "webhook_url"]
        )
    new_secret = None
    with transaction.atomic():
        organization.save(update_fields=["webhook_url"])
        if organization.webhook_url and not organization.webhook_secret:
            new_secret = notifications.organization_webhook_secret_rotate(organization=organization)
        _audit(
            actor, AUDIT_WEBHOOK_SET, "Organization", organization.pk, url=organization.webhook_url
        )
    return organization, new_secret


def organization_webhook_secret_rotate(*, actor: Actor) -> str:
    """A new webhook signing secret, returned once; the old one stops signing at once."""
    require_organization_admin(actor)
    organization = Organization.objects.get(pk=actor.organization_id or 0)
    with transaction.atomic():
        secret = notifications.organization_webhook_secret_rotate(organization=organization)
        _audit(actor, AUDIT_WEBHOOK_SECRET_ROTATED, "Organization", organization.pk)
    return secret
