"""Every write of the liaison app: organizations, members, tokens and legal requests."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from liaison import instruments
from liaison.actors import Actor
from liaison.models import (
    ApiToken,
    LegalRequest,
    Membership,
    Organization,
    OrganizationKind,
    RequestCategory,
    RequestKind,
    RequestStatus,
    Target,
    TimelineEntry,
)
from portal.outbox import outbox_emit

TOKEN_PREFIX_LENGTH = 8
LAST_USED_RESOLUTION = timedelta(minutes=1)
TOPIC_SUBMITTED = "legal_request.submitted"


# Organizations and members -------------------------------------------------------------------


def organization_register(
    *,
    kind: str,
    name: str,
    country: str,
    callback_phone: str = "",
    contact_email: str = "",
    verified_by: object | None = None,
    verify: bool = False,
) -> Organization:
    """Register an authority or NGO with a unique slug; optionally verify it at once."""
    errors: dict[str, str] = {}
    if kind not in OrganizationKind.values:
        errors["kind"] = f"Kind must be one of {', '.join(OrganizationKind.values)}."
    if not name.strip():
        errors["name"] = "A name is required."
    code = instruments.country_code(country)
    if code is None:
        errors["country"] = f"{country!r} is not an ISO 3166-1 alpha-2 country code."
    phone = ""
    if callback_phone:
        try:
            phone = instruments.normalize_target("PHONE_NUMBER", callback_phone)
        except instruments.TargetError as error:
            errors["callback_phone"] = str(error)
    if errors:
        raise ValidationError(errors)
    base = slugify(f"{name}-{code}")[:70] or "organization"
    slug, n = base, 1
    while Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    organization = Organization.objects.create(
        slug=slug,
        name=name.strip(),
        kind=kind,
        country=code,
        callback_phone=phone,
        contact_email=contact_email,
    )
    if verify:
        organization_verify(organization=organization, verified_by=verified_by)
    return organization


def organization_verify(*, organization: Organization, verified_by: object | None) -> Organization:
    """Mark an organization verified by platform staff: it may now submit requests."""
    organization.verification = Organization.Verification.VERIFIED
    organization.verified_at = timezone.now()
    organization.verified_by = verified_by if getattr(verified_by, "pk", None) else None
    organization.save(update_fields=["verification", "verified_at", "verified_by"])
    return organization


def organization_unverify(*, organization: Organization) -> Organization:
    """Withdraw an organization's verification: it can still read, but no longer submit."""
    organization.verification = Organization.Verification.PENDING
    organization.verified_at = None
    organization.verified_by = None
    organization.save(update_fields=["verification", "verified_at", "verified_by"])
    return organization


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


# API tokens ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    """A freshly issued token: `secret` is shown once and never stored."""

    token: ApiToken
    secret: str


def _hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_issue(
    *, membership: Membership, expires_in: timedelta | None = None, label: str = ""
) -> IssuedToken:
    """Create a random token for a member; only its SHA-256 hash and lookup prefix are stored."""
    lifetime = expires_in if expires_in is not None else settings.API_TOKEN_DEFAULT_LIFETIME
    if lifetime <= timedelta(0):
        raise ValidationError({"expires_in": "A token must expire in the future."})
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    while True:
        prefix = "".join(secrets.choice(alphabet) for _ in range(TOKEN_PREFIX_LENGTH))
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    secret = f"lp_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        membership=membership,
        prefix=prefix,
        token_hash=_hash_token(secret),
        label=label,
        expires_at=timezone.now() + lifetime,
    )
    return IssuedToken(token=token, secret=secret)


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke a token at once; requests carrying it are refused from now on."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(secret: str) -> Actor | None:
    """The actor a bearer token stands for, or None for an unknown, expired or revoked token."""
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != "lp" or len(parts[1]) != TOKEN_PREFIX_LENGTH:
        return None
    token = (
        ApiToken.objects.usable()
        .select_related("membership__user", "membership__organization")
        .filter(prefix=parts[1])
        .first()
    )
    if token is None or not hmac.compare_digest(token.token_hash, _hash_token(secret)):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        # Written at most once a minute so that reads do not each cost a write.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    membership = token.membership
    if not membership.user.is_active:
        return None
    return Actor(
        user=membership.user,
        organization=membership.organization,
        membership_id=membership.pk,
        token_id=token.pk,
    )


# Legal requests ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetSpec:
    """A target as submitted."""

    kind: str
    value: str


@dataclass(frozen=True)
class LegalRequestSpec:
    """A legal request as submitted, before validation."""

    kind: str
    category: str
    reference: str
    legal_basis: str
    jurisdiction: str
    summary: str
    targets: list[TargetSpec]
    data_categories: list[str] | None = None
    idempotency_key: str | None = None


FIELD_LIMITS = {"reference": 120, "legalBasis": 300, "summary": 10_000}


def _validate_submission(actor: Actor, spec: LegalRequestSpec) -> tuple[dict, list[Target]]:
    """Check a submission against its instrument; raise ValidationError naming every bad field."""
    errors: dict[str, list[ValidationError]] = {}

    def fail(field: str, message: str, code: str) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    organization = actor.organization
    instrument = instruments.INSTRUMENTS.get(spec.kind)
    if instrument is None:
        fail("kind", f"Kind must be one of {', '.join(RequestKind.values)}.", "invalid_choice")
    elif organization is not None and organization.kind not in instrument.senders:
        fail(
            "kind",
            "NGOs may only send MODERATION_NOTICE requests."
            if organization.kind == OrganizationKind.NGO
            else f"Your organization may not send {spec.kind} requests.",
            "kind_not_allowed",
        )
    if spec.category not in RequestCategory.values:
        fail(
            "category",
            f"Category must be one of {', '.join(RequestCategory.values)}.",
            "invalid_choice",
        )

    texts = {"reference": spec.reference, "legalBasis": spec.legal_basis, "summary": spec.summary}
    required = instrument.required_fields if instrument else instruments.COMMON_FIELDS
    for field, value in texts.items():
        if field in required and not value.strip():
            fail(field, "This field is required for this kind of request.", "required")
        elif len(value) > FIELD_LIMITS[field]:
            fail(field, f"At most {FIELD_LIMITS[field]} characters.", "max_length")

    jurisdiction = instruments.country_code(spec.jurisdiction)
    if jurisdiction is None:
        fail(
            "jurisdiction",
            f"{spec.jurisdiction!r} is not an ISO 3166-1 alpha-2 country code (e.g. DE, FR, US).",
            "invalid_country",
        )

    targets: list[Target] = []
    if not spec.targets:
        fail("targets", "At least one target is required.", "required")
    elif len(spec.targets) > instruments.MAX_TARGETS:
        fail("targets", f"At most {instruments.MAX_TARGETS} targets per request.", "max_length")
    seen: set[tuple[str, str]] = set()
    for position, target in enumerate(spec.targets[: instruments.MAX_TARGETS]):
        field = f"targets.{position}.value"
        if instrument and target.kind not in instrument.allowed_target_kinds:
            allowed = ", ".join(sorted(instrument.allowed_target_kinds))
            fail(
                f"targets.{position}.kind",
                f"{spec.kind} targets must be one of {allowed}.",
                "target_kind",
            )
            continue
        try:
            value = instruments.normalize_target(target.kind, target.value, region=jurisdiction)
        except instruments.TargetError as error:
            fail(field, str(error), "invalid_target")
            continue
        if (target.kind, value) in seen:
            fail(field, "This target is listed twice.", "duplicate_target")
            continue
        seen.add((target.kind, value))
        targets.append(Target(kind=target.kind, value=value, position=position))

    categories = list(dict.fromkeys(spec.data_categories or []))
    if instrument is not None:
        if instrument.discloses_data and not categories:
            fail(
                "dataCategories",
                "Say which data you need: IP_ADDRESSES and/or PHONE_NUMBER.",
                "required",
            )
        if categories and not instrument.allows_data_categories:
            fail("dataCategories", f"{spec.kind} requests do not disclose data.", "not_allowed")
    refused = [c for c in categories if c not in instruments.ALLOWED_DATA_CATEGORIES]
    if refused:
        fail(
            "dataCategories",
            f"The platform discloses only IP addresses and phone numbers; {', '.join(refused)} "
            "cannot be requested.",
            "data_category_refused",
        )
    if spec.idempotency_key is not None and not 1 <= len(spec.idempotency_key) <= 128:
        fail("idempotencyKey", "An idempotency key is 1 to 128 characters.", "invalid")

    if errors:
        raise ValidationError(errors)
    fields = {
        "kind": spec.kind,
        "category": spec.category,
        "reference": spec.reference.strip(),
        "legal_basis": spec.legal_basis.strip(),
        "jurisdiction": jurisdiction,
        "summary": spec.summary.strip(),
        "data_categories": categories,
    }
    return fields, targets


def legal_request_submit(*, actor: Actor, spec: LegalRequestSpec) -> LegalRequest:
    """Validate and store a legal request with its targets, timeline and outbox event, atomically.

    A repeated idempotency key from the same organization returns the first request unchanged.
    """
    organization = actor.organization
    if organization is None:
        raise ValidationError(
            "Only members of an organization can submit requests.", code="no_organization"
        )
    if spec.idempotency_key:
        existing = LegalRequest.objects.filter(
            organization=organization, idempotency_key=spec.idempotency_key
        ).first()
        if existing is not None:
            return existing
    if not organization.is_verified:
        raise ValidationError(
            "Your organization is not verified yet. The platform's staff verify new organizations "
            "before they can submit requests; you can still read your existing requests.",
            code="organization_unverified",
        )
    fields, targets = _validate_submission(actor, spec)
    try:
        with transaction.atomic():
            legal_request = LegalRequest.objects.create(
                organization=organization,
                submitted_by=actor.user,
                idempotency_key=spec.idempotency_key or None,
                **fields,
            )
            for target in targets:
                target.legal_request = legal_request
            Target.objects.bulk_create(targets)
            TimelineEntry.objects.create(
                legal_request=legal_request,
                event=TimelineEntry.Event.SUBMITTED,
                status=RequestStatus.RECEIVED,
                actor_label=actor.label,
                message=f"Submitted by {organization.name}.",
                at=legal_request.submitted_at,
            )
            outbox_emit(
                topic=TOPIC_SUBMITTED,
                payload={
                    "legal_request_id": str(legal_request.pk),
                    "kind": legal_request.kind,
                    "category": legal_request.category,
                    "submitted_at": legal_request.submitted_at.isoformat(),
                },
            )
    except IntegrityError:
        # Another submission with the same idempotency key committed first: return it.
        if not spec.idempotency_key:
            raise
        return LegalRequest.objects.get(
            organization=organization, idempotency_key=spec.idempotency_key
        )
    return legal_request


def legal_request_mark_routed(
    *, legal_request: LegalRequest, desk_name: str, due_at: datetime, actor_label: str
) -> LegalRequest:
    """Record where the switchboard sent a request and by when it will be handled."""
    legal_request.handling_desk = desk_name
    legal_request.due_at = due_at
    legal_request.routed_at = timezone.now()
    if legal_request.status == RequestStatus.RECEIVED:
        legal_request.status = RequestStatus.ROUTED
    legal_request.save(update_fields=["handling_desk", "due_at", "routed_at", "status"])
    TimelineEntry.objects.create(
        legal_request=legal_request,
        event=TimelineEntry.Event.ROUTED,
        status=legal_request.status,
        actor_label=actor_label,
        message=f"Routed to {desk_name}; due {due_at:%Y-%m-%d %H:%M} UTC.",
    )
    return legal_request


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
    timeline without changing its status; internal unless `public`."""
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
