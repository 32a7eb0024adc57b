"""Preservations: recording the act with its legal retention, the authority's one extension,
the reminder before expiry, the hold of a later production request, and the end.

The retention is the instrument's (liaison.instruments): EU EPOC-PR 60 days, extendable once by
30 (Reg. (EU) 2023/1543, Art. 11(1)); US 2703(f) 90 days, renewable once by 90 (18 U.S.C.
2703(f)(2)); a national order 90 days, renewable (Budapest Convention, Art. 16(2)); the content
a TCO removal order removed, and its data, six months (Reg. (EU) 2021/784, Art. 6(2); longer
only for review proceedings, at the request of the competent authority or court, not by
extendPreservation).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from core.actors import Actor
from liaison import instruments, notifications
from liaison.audit import AuditAction, audit_record
from liaison.lifecycle import TERMINAL_STATUSES
from liaison.models import LegalRequest, Preservation, RequestKind, TimelineEntry

REMINDER_BEFORE = timedelta(days=7)
PRODUCTION_KINDS = frozenset({RequestKind.DATA_DISCLOSURE, RequestKind.EMERGENCY_DISCLOSURE})
EVENT_REMINDER = "legal_request.preservation_expiring"
EVENT_EXTENDED = "legal_request.preservation_extended"
EVENT_ENDED = "legal_request.preservation_ended"
PLATFORM = "Liaison Portal"


def _instrument_of(legal_request: LegalRequest) -> str:
    """The request's instrument (inferred for a request stored before instruments were)."""
    return legal_request.instrument or instruments.instrument_infer(
        kind=legal_request.kind,
        category=legal_request.category,
        jurisdiction=legal_request.jurisdiction,
    )


def _public_note(legal_request: LegalRequest, message: str, at: datetime) -> None:
    TimelineEntry.objects.create(
        legal_request=legal_request,
        event=TimelineEntry.Event.NOTE,
        status=legal_request.status,
        actor_label=legal_request.handling_desk or PLATFORM,
        message=message,
        at=at,
    )


def preservation_record(
    *, actor: Actor, legal_request: LegalRequest, now: datetime | None = None
) -> Preservation | None:
    """Record that a request's data is preserved, until the end of its instrument's retention
    (call in the fulfilment's transaction, with the request locked). A request whose
    instrument keeps nothing (a DSA removal, say) gets None. Audited; the authority sees
    `preservedUntil` and a timeline entry."""
    rule = instruments.LEGAL_INSTRUMENTS.get(_instrument_of(legal_request))
    if rule is None or not rule.preserves:
        return None
    now = now or timezone.now()
    preservation, created = Preservation.objects.get_or_create(
        legal_request=legal_request,
        defaults={
            "instrument": rule.code,
            "preserved_at": now,
            "preserved_by": actor.user,
            "preserved_until": rule.retained_until(now),
        },
    )
    if not created:
        return preservation
    what = (
        "The removed content and its related data are"
        if legal_request.kind == RequestKind.CONTENT_REMOVAL
        else "The targets' data is"
    )
    _public_note(
        legal_request,
        f"{what} preserved until {preservation.preserved_until:%Y-%m-%d %H:%M} UTC "
        f"({rule.retention_source}).",
        now,
    )
    audit_record(
        actor=actor,
        action=AuditAction.PRESERVED,
        object_type="Preservation",
        object_id=preservation.pk,
        organization_id=legal_request.organization_id,
        details={
            "legal_request_id": str(legal_request.pk),
            "instrument": rule.code,
            "preserved_until": preservation.preserved_until.isoformat(),
        },
    )
    return preservation


def _locked_preservation(legal_request: LegalRequest) -> Preservation | None:
    return (
        Preservation.objects.select_for_update(of=("self",))
        .select_related("legal_request__organization")
        .filter(legal_request=legal_request)
        .first()
    )


def preservation_extension_refusal(
    preservation: Preservation, *, now: datetime | None = None
) -> tuple[str, str] | None:
    """Why `preservation_extend` would refuse to extend this preservation now, as (code,
    message); None when it would extend it. The one statement of the rule: the API's
    `extendable`, the console's button and the service all ask here."""
    now = now or timezone.now()
    rule = instruments.instrument_rule(preservation.instrument)
    if preservation.ended_at is not None or preservation.preserved_until <= now:
        return "preservation_ended", "This preservation has ended; the data is gone."
    if rule.extension is None:
        return (
            "not_extendable",
            f"A preservation under {rule.label} has no extension on request "
            f"({rule.retention_source})."
            + (f" {rule.no_extension_note}." if rule.no_extension_note else ""),
        )
    if preservation.extensions >= 1:
        extended = preservation.extended_at
        extended_on = f"{extended:%Y-%m-%d} UTC" if extended else "-"
        return (
            "already_extended",
            f"This preservation was already extended once (on {extended_on}); "
            f"{rule.retention_source}. For longer, send the production request and name this "
            "preservation in preservationId.",
        )
    return None


def preservation_extend(
    *, actor: Actor, legal_request: LegalRequest, now: datetime | None = None
) -> LegalRequest:
    """The authority asks for the one extension its instrument allows (EPOC-PR: 30 days; US
    2703(f) and national orders: 90 days): `preservedUntil` moves on by it, the reminder is
    due again, audited and notified. `legal_request` is the actor's own (the caller looked it
    up inside the tenant). A second extension, an ended or not yet recorded preservation, or an
    instrument without an extension is refused with a clear error."""
    if actor.organization_id is None or actor.organization_id != legal_request.organization_id:
        raise ValidationError(
            gettext_noop("Only the requesting organization can extend its preservation."),
            code="not_allowed",
        )
    now = now or timezone.now()
    with transaction.atomic():
        preservation = _locked_preservation(legal_request)
        if preservation is None:
            raise ValidationError(
                {
                    "id": ValidationError(
                        gettext_noop(
                            "This request has no preservation yet: it is extended once the data "
                            "is preserved."
                        ),
                        code="not_preserved",
                    )
                }
            )
        refusal = preservation_extension_refusal(preservation, now=now)
        if refusal is not None:
            code, message = refusal
            raise ValidationError({"id": ValidationError(message, code=code)})
        rule = instruments.instrument_rule(preservation.instrument)
        assert rule.extension is not None  # noqa: S101 - refused above otherwise
        previous = preservation.preserved_until
        preservation.preserved_until = previous + rule.extension
        preservation.extensions += 1
        preservation.extended_at = now
        preservation.reminder_sent_at = None
        preservation.save(
            update_fields=["preserved_until", "extensions", "extended_at", "reminder_sent_at"]
        )
        request = preservation.legal_request
        message = (
            f"Preservation extended at your request until "
            f"{preservation.preserved_until:%Y-%m-%d %H:%M} UTC ({rule.retention_source})."
        )
        _public_note(request, message, now)
        audit_record(
            actor=actor,
            action=AuditAction.PRESERVATION_EXTENDED,
            object_type="Preservation",
            object_id=preservation.pk,
            organization_id=request.organization_id,
            details={
                "legal_request_id": str(request.pk),
                "from": previous.isoformat(),
                "to": preservation.preserved_until.isoformat(),
            },
        )
        notifications.request_notice(
            legal_request=request, event=EVENT_EXTENDED, message=message, at=now
        )
    return request


def preservation_claim_for_production(
    *, production_request: LegalRequest, preservation_request_id: uuid.UUID
) -> None:
    """Tie a new production request to the preservation it names (in the submission's
    transaction): the preserved data is kept until the production request is answered, even
    past `preserved_until`. The preservation must be the same organization's and still kept;
    else a field error on `preservationId` and nothing is stored."""

    def refuse(message: str, code: str, params: dict[str, str] | None = None) -> ValidationError:
        return ValidationError(
            {"preservationId": ValidationError(message, code=code, params=params)}
        )

    if production_request.kind not in PRODUCTION_KINDS:
        raise refuse(
            gettext_noop("Only a production (disclosure) request can name a preservation."),
            "not_allowed",
        )
    preservation = (
        Preservation.objects.select_for_update(of=("self",))
        .select_related("legal_request", "production_request")
        .filter(
            legal_request_id=preservation_request_id,
            legal_request__organization_id=production_request.organization_id,
        )
        .first()
    )
    if preservation is None:
        raise refuse(
            gettext_noop("No preservation of your organization with this id."), "not_found"
        )
    if preservation.ended_at is not None:
        raise refuse(
            gettext_noop("This preservation has ended; the data is no longer kept."), "ended"
        )
    held = preservation.production_request
    if held is not None and held.status not in TERMINAL_STATUSES:
        raise refuse(
            gettext_noop("This preservation is already named by your open request %(reference)s."),
            "already_claimed",
            {"reference": held.reference},
        )
    preservation.production_request = production_request
    preservation.save(update_fields=["production_request"])
    audit_record(
        actor=None,
        actor_label=PLATFORM,
        action=AuditAction.PRESERVATION_HELD,
        object_type="Preservation",
        object_id=preservation.pk,
        organization_id=production_request.organization_id,
        details={
            "legal_request_id": str(preservation.legal_request_id),
            "production_request_id": str(production_request.pk),
        },
    )
    _public_note(
        preservation.legal_request,
        f"Kept until your production request {production_request.reference} is answered.",
        timezone.now(),
    )


def preservation_is_held(preservation: Preservation) -> bool:
    """Whether a later production request that names it is still unanswered."""
    held = preservation.production_request
    return held is not None and held.status not in TERMINAL_STATUSES


@dataclass
class PreservationSweepReport:
    """What one preservation sweep did."""

    reminded: int = 0
    ended: int = 0
    held: int = 0


def preservation_sweep(*, now: datetime | None = None, limit: int = 500) -> PreservationSweepReport:
    """The periodic job: remind the authority 7 days before a preservation expires (once per
    expiry date), and end what expired (audited, the authority told) unless a production
    request that names it is still open. Each ticket of work is claimed by a conditional
    update, so concurrent sweeps never both act."""
    now = now or timezone.now()
    report = PreservationSweepReport()
    due_reminders = list(
        Preservation.objects.active()
        .filter(
            reminder_sent_at__isnull=True,
            preserved_until__gt=now,
            preserved_until__lte=now + REMINDER_BEFORE,
        )
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due_reminders:
        with transaction.atomic():
            won = (
                Preservation.objects.active()
                .filter(pk=pk, reminder_sent_at__isnull=True)
                .update(reminder_sent_at=now)
            )
            if not won:
                continue
            preservation = Preservation.objects.select_related("legal_request__organization").get(
                pk=pk
            )
            _remind(preservation, now)
            report.reminded += 1
    expired = list(
        Preservation.objects.active()
        .filter(preserved_until__lte=now)
        .values_list("pk", flat=True)[:limit]
    )
    for pk in expired:
        with transaction.atomic():
            expiring = (
                Preservation.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("legal_request__organization", "production_request")
                .filter(pk=pk, ended_at__isnull=True)
                .first()
            )
            if expiring is None:
                continue
            if preservation_is_held(expiring):
                report.held += 1
                continue
            _end(expiring, now)
            report.ended += 1
    return report


def _remind(preservation: Preservation, now: datetime) -> None:
    request = preservation.legal_request
    rule = instruments.instrument_rule(preservation.instrument)
    can_extend = rule.extension is not None and preservation.extensions == 0
    message = (
        f"The preservation of your request {request.reference} ends on "
        f"{preservation.preserved_until:%Y-%m-%d %H:%M} UTC."
        + (
            " You may extend it once (extendPreservation), or send the production request "
            "naming it (preservationId)."
            if can_extend
            else " Send the production request naming it (preservationId) to keep the data."
        )
    )
    _public_note(request, message, now)
    notifications.request_notice(
        legal_request=request, event=EVENT_REMINDER, message=message, at=now
    )


def _end(preservation: Preservation, now: datetime) -> None:
    request = preservation.legal_request
    preservation.ended_at = now
    preservation.save(update_fields=["ended_at"])
    message = (
        f"The preservation of your request {request.reference} ended on "
        f"{now:%Y-%m-%d %H:%M} UTC: the preserved data is no longer kept."
    )
    _public_note(request, message, now)
    audit_record(
        actor=None,
        actor_label=PLATFORM,
        action=AuditAction.PRESERVATION_ENDED,
        object_type="Preservation",
        object_id=preservation.pk,
        organization_id=request.organization_id,
        details={
            "legal_request_id": str(request.pk),
            "preserved_until": preservation.preserved_until.isoformat(),
            "extensions": preservation.extensions,
        },
    )
    notifications.request_notice(legal_request=request, event=EVENT_ENDED, message=message, at=now)
