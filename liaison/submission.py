"""Intake: validate a submission against its instrument and store it, with its routing event,
in one transaction."""

from __future__ import annotations

import hashlib
import json
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from core.actors import Actor
from core.outbox.services import outbox_emit
from liaison import instruments, intake, intake_signals, preservation
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
IDEMPOTENCY_CONFLICT = "idempotency_conflict"
FINGERPRINT_VERSION = 1
# A stored period this close to its request's receipt, and exactly DISCLOSURE_DEFAULT_PERIOD
# long, is the default one (rows stored before fingerprints; see `stored_fingerprint`).
DEFAULT_PERIOD_SLACK = timedelta(minutes=1)


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
    instrument: str | None = None
    # The preservation request whose data this production request asks for (its pk).
    preservation_request_id: uuid.UUID | None = None


FIELD_LIMITS = {"reference": 120, "legalBasis": 300, "summary": 10_000}


def _validate_submission(actor: Actor, spec: LegalRequestSpec) -> tuple[dict, list[Target]]:
    """Check a submission against its instrument; raise ValidationError naming every bad field."""
    errors: dict[str, list[ValidationError]] = {}

    def fail(field: str, message: str, code: str, params: dict[str, Any] | None = None) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code, params=params))

    organization = actor.organization
    instrument = instruments.INSTRUMENTS.get(spec.kind)
    if instrument is None:
        fail(
            "kind",
            gettext_noop("Kind must be one of %(choices)s."),
            "invalid_choice",
            {"choices": ", ".join(RequestKind.values)},
        )
    elif organization is not None and organization.kind not in instrument.senders:
        fail(
            "kind",
            gettext_noop("NGOs may only send MODERATION_NOTICE requests.")
            if organization.kind == OrganizationKind.NGO
            else gettext_noop("Your organization may not send %(kind)s requests."),
            "kind_not_allowed",
            {"kind": spec.kind},
        )
    if spec.category not in RequestCategory.values:
        fail(
            "category",
            gettext_noop("Category must be one of %(choices)s."),
            "invalid_choice",
            {"choices": ", ".join(RequestCategory.values)},
        )

    texts = {"reference": spec.reference, "legalBasis": spec.legal_basis, "summary": spec.summary}
    required = instrument.required_fields if instrument else instruments.COMMON_FIELDS
    for field, value in texts.items():
        if field in required and not value.strip():
            fail(
                field, gettext_noop("This field is required for this kind of request."), "required"
            )
        elif len(value) > FIELD_LIMITS[field]:
            fail(
                field,
                gettext_noop("At most %(limit)s characters."),
                "max_length",
                {"limit": FIELD_LIMITS[field]},
            )

    jurisdiction: str | None = None
    try:
        jurisdiction = instruments.validate_country(spec.jurisdiction, field="jurisdiction")
    except ValidationError as error:
        error.update_error_dict(errors)

    targets: list[Target] = []
    if not spec.targets:
        fail("targets", gettext_noop("At least one target is required."), "required")
    elif len(spec.targets) > instruments.MAX_TARGETS:
        fail(
            "targets",
            gettext_noop("At most %(limit)s targets per request."),
            "max_length",
            {"limit": instruments.MAX_TARGETS},
        )
    seen: set[tuple[str, str]] = set()
    for position, target in enumerate(spec.targets[: instruments.MAX_TARGETS]):
        field = f"targets.{position}.value"
        if instrument and target.kind not in instrument.allowed_target_kinds:
            allowed = ", ".join(sorted(instrument.allowed_target_kinds))
            fail(
                f"targets.{position}.kind",
                gettext_noop("%(kind)s targets must be one of %(allowed)s."),
                "target_kind",
                {"kind": spec.kind, "allowed": allowed},
            )
            continue
        try:
            value = instruments.normalize_target(target.kind, target.value, region=jurisdiction)
        except instruments.TargetError as error:
            fail(field, error.message, "invalid_target", error.params)
            continue
        if (target.kind, value) in seen:
            fail(field, gettext_noop("This target is listed twice."), "duplicate_target")
            continue
        seen.add((target.kind, value))
        targets.append(Target(kind=target.kind, value=value, position=position))

    categories = list(dict.fromkeys(spec.data_categories or []))
    if instrument is not None:
        if instrument.discloses_data and not categories:
            fail(
                "dataCategories",
                gettext_noop("Say which data you need: IP_ADDRESSES and/or PHONE_NUMBER."),
                "required",
            )
        if categories and not instrument.allows_data_categories:
            fail(
                "dataCategories",
                gettext_noop("%(kind)s requests do not disclose data."),
                "not_allowed",
                {"kind": spec.kind},
            )
    refused = [c for c in categories if c not in instruments.ALLOWED_DATA_CATEGORIES]
    if refused:
        fail(
            "dataCategories",
            gettext_noop(
                "The platform discloses only IP addresses and phone numbers; %(refused)s "
                "cannot be requested."
            ),
            "data_category_refused",
            {"refused": ", ".join(refused)},
        )
    if spec.idempotency_key is not None and not 1 <= len(spec.idempotency_key) <= 128:
        fail(
            "idempotencyKey", gettext_noop("An idempotency key is 1 to 128 characters."), "invalid"
        )
    period = _validate_period(spec, instrument, fail)
    legal_instrument = _validate_instrument(spec, jurisdiction, fail)

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
        "instrument": legal_instrument or "",
        "instrument_inferred": spec.instrument is None,
    }
    return fields, targets


def _validate_instrument(
    spec: LegalRequestSpec, jurisdiction: str | None, fail: Callable[..., None]
) -> str | None:
    """The request's legal instrument: the one named (which must fit the kind, category and
    country: a field error on `instrument` otherwise), or the one inferred from them."""
    if spec.kind not in RequestKind.values or jurisdiction is None:
        return None  # the kind or country is already an error
    if spec.instrument is None:
        return instruments.instrument_infer(
            kind=spec.kind, category=spec.category, jurisdiction=jurisdiction
        )
    if spec.instrument not in instruments.LEGAL_INSTRUMENTS:
        fail(
            "instrument",
            gettext_noop("Instrument must be one of %(choices)s."),
            "invalid_choice",
            {"choices": ", ".join(instruments.LEGAL_INSTRUMENTS)},
        )
        return None
    misfit = instruments.instrument_rule(spec.instrument).misfit(
        kind=spec.kind, category=spec.category, jurisdiction=jurisdiction
    )
    if misfit is not None:
        code, message = misfit
        fail("instrument", message, code)
        return None
    return spec.instrument


def _validate_period(
    spec: LegalRequestSpec,
    instrument: instruments.Instrument | None,
    fail: Callable[..., None],
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
            gettext_noop("Give both ends of the period (periodStart and periodEnd), or neither."),
            "period_incomplete",
        )
        return None, None
    bad = False
    for field, value in (("periodStart", start), ("periodEnd", end)):
        if timezone.is_naive(value):
            fail(
                field,
                gettext_noop("Give a time zone, e.g. 2026-01-31T00:00:00Z."),
                "naive_datetime",
            )
            bad = True
    if bad:
        return None, None
    if start >= end:
        fail("periodEnd", gettext_noop("The period must end after it starts."), "period_order")
    elif end > now + timedelta(minutes=5):
        fail(
            "periodEnd",
            gettext_noop("The period cannot reach into the future."),
            "period_in_future",
        )
    elif end - start > settings.DISCLOSURE_MAX_PERIOD:
        fail(
            "periodStart",
            gettext_noop("The period is at most %(days)s days long."),
            "period_too_long",
            {"days": settings.DISCLOSURE_MAX_PERIOD.days},
        )
    return start, end


def idempotency_fingerprint(
    *,
    kind: str,
    category: str,
    reference: str,
    legal_basis: str,
    jurisdiction: str,
    summary: str,
    targets: Iterable[tuple[str, str]],
    data_categories: Iterable[str],
    period_start: datetime | None,
    period_end: datetime | None,
    instrument: str | None = None,
    preservation_request_id: uuid.UUID | None = None,
) -> str:
    """SHA-256 (hex) of the canonical JSON of a validated, normalised submission: two
    submissions with one idempotency key are "the same input" when these are equal.

    It covers the kind (which names the instrument), category, reference, legal basis,
    jurisdiction (the ISO code) and summary, as stored (trimmed, NFC), the targets as
    (kind, canonical value) in their order, the data categories as a set, and the period as the
    client gave it (in UTC; null when it took the default period, which runs from the time of
    receipt). Not the key itself, the origin, or anything decided at intake.
    """

    def text(value: str) -> str:
        return unicodedata.normalize("NFC", value.strip())

    def moment(value: datetime | None) -> str | None:
        return None if value is None else value.astimezone(UTC).isoformat()

    canonical = {
        "version": FINGERPRINT_VERSION,
        "kind": kind,
        "category": category,
        "reference": text(reference),
        "legalBasis": text(legal_basis),
        "jurisdiction": jurisdiction,
        "summary": text(summary),
        "targets": [[target_kind, value] for target_kind, value in targets],
        "dataCategories": sorted(set(data_categories)),
        "periodStart": moment(period_start),
        "periodEnd": moment(period_end),
    }
    if instrument is not None:  # only when named: fingerprints stored before it stay valid
        canonical["instrument"] = instrument
    if preservation_request_id is not None:
        canonical["preservationId"] = str(preservation_request_id)
    encoded = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(encoded.encode("ascii")).hexdigest()


def _submission_fingerprint(spec: LegalRequestSpec, fields: dict, targets: list[Target]) -> str:
    """The fingerprint of a validated submission (`fields`, `targets` from `_validate_submission`),
    with the period as submitted, not the default one filled in at intake."""
    return idempotency_fingerprint(
        kind=fields["kind"],
        category=fields["category"],
        reference=fields["reference"],
        legal_basis=fields["legal_basis"],
        jurisdiction=fields["jurisdiction"],
        summary=fields["summary"],
        targets=[(target.kind, target.value) for target in targets],
        data_categories=fields["data_categories"],
        period_start=spec.period_start,
        period_end=spec.period_end,
        instrument=spec.instrument,
        preservation_request_id=spec.preservation_request_id,
    )


def stored_fingerprint(legal_request: LegalRequest) -> str:
    """The fingerprint of a stored request, from its fields: for a request stored before
    fingerprints were (the data migration 0008 computes the same, frozen). A disclosure period
    that ends at receipt and is exactly DISCLOSURE_DEFAULT_PERIOD long was the default one."""
    start, end = legal_request.period_start, legal_request.period_end
    if (
        start is not None
        and end is not None
        and end - start == settings.DISCLOSURE_DEFAULT_PERIOD
        and abs(legal_request.submitted_at - end) <= DEFAULT_PERIOD_SLACK
    ):
        start = end = None
    return idempotency_fingerprint(
        kind=legal_request.kind,
        category=legal_request.category,
        reference=legal_request.reference,
        legal_basis=legal_request.legal_basis,
        jurisdiction=legal_request.jurisdiction,
        summary=legal_request.summary,
        targets=[
            (target.kind, target.value)
            for target in legal_request.targets.order_by("position", "id")
        ],
        data_categories=legal_request.data_categories,
        period_start=start,
        period_end=end,
        instrument=None if legal_request.instrument_inferred else legal_request.instrument or None,
    )


def _first_request_or_conflict(existing: LegalRequest, fingerprint: str) -> LegalRequest:
    """The request first stored with this key, when `fingerprint` is its input's; otherwise
    the conflict, on `idempotencyKey`."""
    if fingerprint == (existing.idempotency_fingerprint or stored_fingerprint(existing)):
        return existing
    raise ValidationError(
        {
            "idempotencyKey": ValidationError(
                f"This idempotency key was already used for another request (reference "
                f"{existing.reference or '(none)'}, received "
                f"{existing.submitted_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC) with a different "
                "input. Use a new key for a new request; send the first request unchanged to "
                "get it back.",
                code=IDEMPOTENCY_CONFLICT,
            )
        }
    )


def _repeated_key(actor: Actor, spec: LegalRequestSpec, existing: LegalRequest) -> LegalRequest:
    """A submission whose key is already stored: the first request, or the conflict."""
    if spec.origin == RequestOrigin.HOTLINE:
        # The chat derives the key from the message's client id and keeps its own rule: a
        # resent message (whatever it says) returns the first message and its request.
        return existing
    fields, targets = _validate_submission(actor, spec)
    return _first_request_or_conflict(existing, _submission_fingerprint(spec, fields, targets))


def _decide_desk_and_deadline(legal_request: LegalRequest) -> None:
    """Ask the registered resolver (the switchboard's) which desk handles the request and by
    when, and put the decision on the (unsaved) request, which the submission's transaction
    then stores: the answer to the submission says it, and the routing honours it. Without a
    resolver the routing decides."""
    decision = intake.intake_decide(
        intake.IntakeQuestion(
            kind=legal_request.kind,
            category=legal_request.category,
            jurisdiction=legal_request.jurisdiction,
            instrument=legal_request.instrument,
            submitted_at=legal_request.submitted_at,
        )
    )
    if decision is None:
        return
    legal_request.handling_desk = decision.desk_name
    legal_request.due_at = legal_request.submitted_at + decision.clock
    legal_request.policy_revision = decision.policy_revision
    legal_request.routing_decision = {
        **decision.details,
        "desk_name": decision.desk_name,
        "clock_seconds": decision.clock.total_seconds(),
        "policy_revision": decision.policy_revision,
    }


def legal_request_submit(
    *, actor: Actor, spec: LegalRequestSpec, source_address: str | None = None
) -> LegalRequest:
    """Validate and store a legal request with its targets, timeline and outbox event, atomically.

    In the same transaction its fraud signals are computed (`intake_signals.intake_assess`,
    with `source_address`, the client's address from `core.http.client_ip`, when known): a
    suspicious request is stored, routed and reviewed as usual, but held for verification.

    An idempotency key remembers the input it came with (`idempotency_fingerprint`): the same
    key from the same organization with the same canonical input returns the first request
    unchanged, also when both arrive at once (the unique constraint picks the first); with
    another input it is refused with the code `idempotency_conflict` on `idempotencyKey`, and
    nothing is stored. Hotline reports (origin HOTLINE) keep the chat's retry rule instead.
    """
    organization = actor.organization
    if organization is None:
        raise ValidationError(
            gettext_noop("Only members of an organization can submit requests."),
            code="no_organization",
        )
    if spec.idempotency_key:
        existing = LegalRequest.objects.filter(
            organization=organization, idempotency_key=spec.idempotency_key
        ).first()
        if existing is not None:
            return _repeated_key(actor, spec, existing)
    if not organization.is_verified:
        raise ValidationError(
            gettext_noop(
                "Your organization is not verified yet. The platform's staff verify new "
                "organizations before they can submit requests; you can still read your existing "
                "requests."
            ),
            code="organization_unverified",
        )
    fields, targets = _validate_submission(actor, spec)
    fingerprint = _submission_fingerprint(spec, fields, targets) if spec.idempotency_key else ""
    try:
        with transaction.atomic():
            legal_request = LegalRequest(
                organization=organization,
                submitted_by=actor.user,
                origin=spec.origin,
                idempotency_key=spec.idempotency_key or None,
                idempotency_fingerprint=fingerprint,
                **fields,
            )
            _decide_desk_and_deadline(legal_request)
            legal_request.save(force_insert=True)
            for target in targets:
                target.legal_request = legal_request
            Target.objects.bulk_create(targets)
            if spec.preservation_request_id is not None:
                preservation.preservation_claim_for_production(
                    production_request=legal_request,
                    preservation_request_id=spec.preservation_request_id,
                )
            TimelineEntry.objects.create(
                legal_request=legal_request,
                event=TimelineEntry.Event.SUBMITTED,
                status=RequestStatus.RECEIVED,
                actor_label=actor.label,
                message=f"Submitted by {organization.name}.",
                at=legal_request.submitted_at,
            )
            intake_signals.intake_assess(
                actor=actor, legal_request=legal_request, source_address=source_address
            )
            outbox_emit(
                topic=TOPIC_SUBMITTED,
                payload={
                    "legal_request_id": str(legal_request.pk),
                    "kind": legal_request.kind,
                    "category": legal_request.category,
                    "submitted_at": legal_request.submitted_at.isoformat(),
                    "instrument": legal_request.instrument,
                    "clock_seconds": legal_request.routing_decision.get("clock_seconds"),
                },
            )
    except IntegrityError:
        # Another submission with the same idempotency key committed first: return it when it
        # had this input, else this one is the conflict.
        if not spec.idempotency_key:
            raise
        existing = LegalRequest.objects.get(
            organization=organization, idempotency_key=spec.idempotency_key
        )
        if spec.origin == RequestOrigin.HOTLINE:
            return existing
        return _first_request_or_conflict(existing, fingerprint)
    return legal_request
