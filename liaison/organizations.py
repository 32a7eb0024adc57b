"""The tenants' writes: register and verify organizations, add members."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from core.actors import internal_label
from liaison import instruments
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
