"""Intake: validate a submission against its instrument and store it, with its routing event,
in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.actors import Actor
from core.outbox.services import outbox_emit
from liaison import instruments
from liaison.models import (
    LegalRequest,
    OrganizationKind,
    RequestCategory,
    RequestKind,
    RequestOrigin,
    RequestStatus,
    Target,
    TimelineEntry,
)
from liaison.topics import SUBMITTED

TOPIC_SUBMITTED = SUBMITTED.name  # declared, with its policy, in liaison.topics


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
    origin: str = RequestOrigin.API


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

    jurisdiction: str | None = None
    try:
        jurisdiction = instruments.validate_country(spec.jurisdiction, field="jurisdiction")
    except ValidationError as error:
        error.update_error_dict(errors)

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
                origin=spec.origin,
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
