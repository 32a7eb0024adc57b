"""Every write of the liaison app: organizations, members, tokens, legal requests, and (from the
modules it re-exports) review, documents, disclosure and the platform's demo subscriber data.

Callers import services from here; the larger parts live in liaison.review (the transition
table and staff decisions), liaison.documents, liaison.disclosure and liaison.audit.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from liaison import instruments
from liaison.actors import Actor
from liaison.audit import audit_record
from liaison.disclosure import disclosure_package_read, legal_request_fulfil
from liaison.documents import legal_document_attach, legal_document_open
from liaison.models import (
    ApiToken,
    LegalRequest,
    LoginEvent,
    Membership,
    Organization,
    OrganizationKind,
    PlatformAccount,
    RequestCategory,
    RequestKind,
    RequestStatus,
    Target,
    TimelineEntry,
)
from liaison.notifications import organization_webhook_secret_rotate
from liaison.review import (
    REVIEW_POLICY_VERSION,
    legal_analysis_record,
    legal_request_answer_clarification,
    legal_request_approve,
    legal_request_ask_clarification,
    legal_request_record_callback,
    legal_request_reject,
    legal_request_start_review,
    legal_request_transition,
    legal_request_withdraw,
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
    verified_by: AbstractBaseUser | None = None,
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
    if errors or code is None:
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


def organization_verify(
    *, organization: Organization, verified_by: AbstractBaseUser | AnonymousUser | None
) -> Organization:
    """Mark an organization verified by platform staff: it may now submit requests."""
    organization.verification = Organization.Verification.VERIFIED
    organization.verified_at = timezone.now()
    organization.verified_by = verified_by if isinstance(verified_by, AbstractBaseUser) else None  # type: ignore[assignment]
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
    period_start: datetime | None = None
    period_end: datetime | None = None


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
    period = _validate_period(spec, instrument, fail)

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
        "period_start": period[0],
        "period_end": period[1],
    }
    return fields, targets


def _validate_period(
    spec: LegalRequestSpec,
    instrument: instruments.Instrument | None,
    fail: Callable[[str, str, str], None],
) -> tuple[datetime | None, datetime | None]:
    """The data period: both ends or none, time-zone aware, start before end, not in the future,
    at most DISCLOSURE_MAX_PERIOD long. A disclosure request without one covers the
    DISCLOSURE_DEFAULT_PERIOD before submission (recorded on the request, so staff weigh it in
    the proportionality check and the authority sees it)."""
    start, end = spec.period_start, spec.period_end
    now = timezone.now()
    if start is None and end is None:
        if instrument is not None and instrument.discloses_data:
            return now - settings.DISCLOSURE_DEFAULT_PERIOD, now
        return None, None
    if start is None or end is None:
        fail(
            "periodStart" if start is None else "periodEnd",
            "Give both ends of the period (periodStart and periodEnd), or neither.",
            "period_incomplete",
        )
        return None, None
    bad = False
    for field, value in (("periodStart", start), ("periodEnd", end)):
        if timezone.is_naive(value):
            fail(field, "Give a time zone, e.g. 2026-01-31T00:00:00Z.", "naive_datetime")
            bad = True
    if bad:
        return None, None
    if start >= end:
        fail("periodEnd", "The period must end after it starts.", "period_order")
    elif end > now + timedelta(minutes=5):
        fail("periodEnd", "The period cannot reach into the future.", "period_in_future")
    elif end - start > settings.DISCLOSURE_MAX_PERIOD:
        fail(
            "periodStart",
            f"The period is at most {settings.DISCLOSURE_MAX_PERIOD.days} days long.",
            "period_too_long",
        )
    return start, end


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
    *,
    legal_request: LegalRequest,
    desk_name: str,
    due_at: datetime,
    actor_label: str,
    locked: bool = False,
) -> LegalRequest:
    """Record where the switchboard sent a request and by when it will be handled.

    The first routing moves RECEIVED → ROUTED through `legal_request_transition` (timeline,
    audit, outbox, notifications); a later re-routing only updates the desk and deadline.
    """
    message = f"Routed to {desk_name}; due {due_at:%Y-%m-%d %H:%M} UTC."
    changes = {"handling_desk": desk_name, "due_at": due_at, "routed_at": timezone.now()}
    with transaction.atomic(savepoint=not locked):
        current = (
            legal_request
            if locked
            else LegalRequest.objects.select_for_update(of=("self",))
            .select_related("organization")
            .get(pk=legal_request.pk)
        )
        if current.status == RequestStatus.RECEIVED:
            current = legal_request_transition(
                actor=None,
                legal_request=current,
                to_status=RequestStatus.ROUTED,
                reason=message,
                actor_label=actor_label,
                event=TimelineEntry.Event.ROUTED,
                changes=changes,
                locked=True,
            )
        else:
            for field, value in changes.items():
                setattr(current, field, value)
            current.save(update_fields=list(changes))
            TimelineEntry.objects.create(
                legal_request=current,
                event=TimelineEntry.Event.ROUTED,
                status=current.status,
                actor_label=actor_label,
                message=message,
            )
    for field in ("handling_desk", "due_at", "routed_at", "status"):
        setattr(legal_request, field, getattr(current, field))
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


# Platform accounts (demo data of the default subscriber-records backend) ---------------------

DEMO_ACCOUNTS = [
    # user id, username, phone, login IPs (address, days before now)
    (
        100_001,
        "fraud_boss",
        "+4915123456789",
        [("203.0.113.7", 2), ("2001:db8::7", 12), ("198.51.100.23", 40)],
    ),
    (100_002, "scam_channel_admin", "+33612345678", [("192.0.2.44", 1), ("192.0.2.45", 30)]),
    (100_003, "threat_sender", "+12025550143", [("198.51.100.99", 0), ("203.0.113.200", 3)]),
]


def platform_accounts_seed_demo() -> int:
    """Idempotently load a few demo platform accounts and their login IP events (for the
    default subscriber-records backend). Returns how many login events were created."""
    created = 0
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    with transaction.atomic():
        for user_id, username, phone, logins in DEMO_ACCOUNTS:
            account, _ = PlatformAccount.objects.update_or_create(
                user_id=user_id, defaults={"username": username, "phone_number": phone}
            )
            if account.logins.exists():
                continue  # seeded before: keep its events (and their times) stable
            for address, days_ago in logins:
                LoginEvent.objects.create(
                    account=account, ip_address=address, seen_at=now - timedelta(days=days_ago)
                )
                created += 1
    return created


__all__ = [
    "FIELD_LIMITS",
    "REVIEW_POLICY_VERSION",
    "TOPIC_SUBMITTED",
    "IssuedToken",
    "LegalRequestSpec",
    "TargetSpec",
    "api_token_authenticate",
    "api_token_issue",
    "api_token_revoke",
    "audit_record",
    "disclosure_package_read",
    "legal_analysis_record",
    "legal_document_attach",
    "legal_document_open",
    "legal_request_answer_clarification",
    "legal_request_approve",
    "legal_request_ask_clarification",
    "legal_request_fulfil",
    "legal_request_mark_routed",
    "legal_request_record_callback",
    "legal_request_record_event",
    "legal_request_reject",
    "legal_request_start_review",
    "legal_request_submit",
    "legal_request_transition",
    "legal_request_withdraw",
    "member_ensure",
    "organization_register",
    "organization_unverify",
    "organization_verify",
    "organization_webhook_secret_rotate",
    "platform_accounts_seed_demo",
]
