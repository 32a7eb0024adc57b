"""Fraud signals at intake: what makes a submission look forged, weighed, and the hold.

Since 2021 forged emergency requests sent from hacked police mailboxes have obtained user data;
Kodex reports that about 30% of the emergency requests it saw failed second-level verification.
Each submission is assessed in its own transaction (`intake_assess`, called by
`liaison.submission.legal_request_submit`): every signal that fires adds its weight
(`INTAKE_SIGNAL_WEIGHTS`); at or above `INTAKE_HOLD_THRESHOLD` the request is held for
verification. A hold is not a status: the request is routed and reviewed as usual (an emergency
is never delayed), but no data leaves it until a callback to the organization's registered
number is recorded (liaison/verification.py). Staff see the signals; the organization sees only
a timeline entry saying that verification is under way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.actors import Actor
from liaison import deconfliction, instruments
from liaison.audit import AuditAction, audit_record
from liaison.models import (
    ApiToken,
    IntakeAssessment,
    LegalInstrument,
    LegalRequest,
    OrganizationKind,
    RequestKind,
    TimelineEntry,
    TokenSourceAddress,
)


class SignalCode:
    """The signals (strings: stored in assessments, and keys of INTAKE_SIGNAL_WEIGHTS)."""

    TOKEN_NEW = "token_new"  # noqa: S105 (a signal name)
    FIRST_REQUEST = "first_request"
    SOURCE_ADDRESS_NEW = "source_address_new"
    EMERGENCY_BURST = "emergency_burst"
    JURISDICTION_FOREIGN = "jurisdiction_foreign"
    LEGAL_BASIS_NOT_ACCEPTED = "legal_basis_not_accepted"
    EMAIL_OUTSIDE_DOMAIN = "email_outside_domain"
    OVERLAP_OTHER_AUTHORITY = "overlap_other_authority"


# What each signal means, as staff read it on the request page and in the queue.
SIGNAL_LABELS = {
    SignalCode.TOKEN_NEW: "API token younger than a day",
    SignalCode.FIRST_REQUEST: "the member's first request",
    SignalCode.SOURCE_ADDRESS_NEW: "source address never seen for this token",
    SignalCode.EMERGENCY_BURST: "burst of emergency requests from the organization",
    SignalCode.JURISDICTION_FOREIGN: "jurisdiction outside the organization's country, no "
    "cross-border instrument",
    SignalCode.LEGAL_BASIS_NOT_ACCEPTED: "legal basis not among the kind's accepted bases",
    SignalCode.EMAIL_OUTSIDE_DOMAIN: "member e-mail outside the organization's registered domain",
    SignalCode.OVERLAP_OTHER_AUTHORITY: "targets overlap another authority's request",
}

# The authority's view of a hold: these sentences, never the signals.
HOLD_NOTICE = (
    "Verification under way: before any data is released, the platform confirms this request "
    "with your organization by a call to its registered number. The request is handled "
    "meanwhile."
)
VERIFIED_NOTICE = "Verification complete: the request was confirmed with your organization."
# What staff (and every refused path) are told while a request is held.
HOLD_REFUSAL = (
    "Held for verification: no data leaves this request until a callback to the organization's "
    "registered number is recorded (callback_officer)."
)
# An answer that says something about the targets (no such account, no data stored, no rule
# broken) tells a forger as much as a package would: it too waits for the callback.
TARGET_ANSWER_REFUSAL = (
    "Held for verification: this answer would tell the requester something about the targets "
    "(whether they exist, hold data or broke the rules), so it is given only after a callback "
    "to the organization's registered number is recorded (callback_officer). Other answers "
    "(the authority, the legal basis, a failed callback) may be given now."
)

# Legal bases that make a request for another country's jurisdiction ordinary: the EU's
# cross-border instruments (e-Evidence, TCO, DSA orders) and mutual legal assistance.
CROSS_BORDER_MARKERS = (
    "2023/1543",
    "2021/784",
    "2022/2065",
    "european production order",
    "european preservation order",
    "epoc",
    "mlat",
    "mutual legal assistance",
)
# Instruments made for a request across a border: named on the request, they make a foreign
# jurisdiction ordinary whatever the legal basis's wording.
CROSS_BORDER_INSTRUMENTS = frozenset(
    {
        LegalInstrument.EU_EPOC,
        LegalInstrument.EU_EMERGENCY_EPOC,
        LegalInstrument.EU_EPOC_PR,
        LegalInstrument.TCO_REMOVAL_ORDER,
        LegalInstrument.DSA_ART9_ORDER,
        LegalInstrument.DSA_ART10_ORDER,
        LegalInstrument.MLAT,
    }
)


@dataclass(frozen=True)
class Signal:
    """One signal that fired: its code, its weight, and what staff are told about it."""

    code: str
    weight: int
    detail: str

    def as_json(self) -> dict[str, object]:
        return {"code": self.code, "weight": self.weight, "detail": self.detail}


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


def legal_basis_accepted(kind: str, legal_basis: str, instrument: str = "") -> bool:
    """Does the basis name one of the kind's accepted legal bases, and, for a request that
    names its instrument, one the instrument accepts (liaison/instruments.py)? Either text may
    contain the other, case and spacing aside ("Court order, AG Berlin" names "Court order";
    "Subpoena" names "Subpoena or equivalent compulsory process")."""
    given = _folded(legal_basis)
    if not given:
        return True
    kind_table = instruments.INSTRUMENTS.get(kind)
    tables = [kind_table.accepted_legal_bases] if kind_table is not None else []
    if instrument in instruments.LEGAL_INSTRUMENTS:
        tables.append(instruments.LEGAL_INSTRUMENTS[instrument].accepted_legal_bases)
    return all(
        any(given in _folded(accepted) or _folded(accepted) in given for accepted in bases)
        for bases in tables
    )


def is_cross_border_basis(legal_basis: str) -> bool:
    """Is the legal basis a cross-border instrument (e-Evidence, TCO, DSA, MLAT)?"""
    given = _folded(legal_basis)
    return any(marker in given for marker in CROSS_BORDER_MARKERS)


def email_in_domain(email: str, domain: str) -> bool:
    """Is the address in the domain or one of its subdomains?"""
    host = email.rpartition("@")[2].casefold().rstrip(".")
    registered = domain.casefold().strip().lstrip("@").rstrip(".")
    return bool(host) and (host == registered or host.endswith(f".{registered}"))


def _weight(code: str) -> int:
    return int(settings.INTAKE_SIGNAL_WEIGHTS.get(code, 0))


def _token_signals(
    actor: Actor, source_address: str | None, now: datetime
) -> list[tuple[str, str]]:
    """The token's age, and whether it was ever seen from this address (recorded now)."""
    if actor.token_id is None:
        return []
    fired: list[tuple[str, str]] = []
    token = ApiToken.objects.filter(pk=actor.token_id).only("created_at").first()
    if token is not None and now - token.created_at < settings.INTAKE_TOKEN_NEW_AGE:
        fired.append((SignalCode.TOKEN_NEW, f"token issued {token.created_at:%Y-%m-%d %H:%M} UTC"))
    if source_address:
        updated = TokenSourceAddress.objects.filter(
            token_id=actor.token_id, address=source_address
        ).update(last_seen_at=now)
        if not updated:
            fired.append((SignalCode.SOURCE_ADDRESS_NEW, f"from {source_address}"))
            try:
                with transaction.atomic():
                    TokenSourceAddress.objects.create(
                        token_id=actor.token_id,
                        address=source_address,
                        first_seen_at=now,
                        last_seen_at=now,
                    )
            except IntegrityError:  # the same token's concurrent submission recorded it first
                pass
    return fired


def signals_compute(
    *,
    actor: Actor,
    legal_request: LegalRequest,
    source_address: str | None = None,
    now: datetime | None = None,
) -> list[Signal]:
    """Every signal that fires for a stored request (its targets saved), with its weight."""
    now = now or timezone.now()
    organization = legal_request.organization
    fired = _token_signals(actor, source_address, now)
    if (
        not LegalRequest.objects.filter(
            organization=organization, submitted_by=legal_request.submitted_by
        )
        .exclude(pk=legal_request.pk)
        .exists()
    ):
        fired.append((SignalCode.FIRST_REQUEST, "no earlier request from this member"))
    if legal_request.kind == RequestKind.EMERGENCY_DISCLOSURE:
        window = settings.INTAKE_EMERGENCY_BURST_WINDOW
        recent = LegalRequest.objects.filter(
            organization=organization,
            kind=RequestKind.EMERGENCY_DISCLOSURE,
            submitted_at__gt=now - window,
        ).count()
        if recent >= settings.INTAKE_EMERGENCY_BURST_COUNT:
            minutes = int(window.total_seconds() // 60)
            fired.append(
                (
                    SignalCode.EMERGENCY_BURST,
                    f"{recent} emergency requests in {minutes} minutes",
                )
            )
    # Only an instrument the authority named counts here: an inferred one follows from the
    # jurisdiction, so it cannot vouch for it.
    named = "" if legal_request.instrument_inferred else legal_request.instrument
    if (
        organization.kind == OrganizationKind.AUTHORITY
        and legal_request.jurisdiction != organization.country
        and named not in CROSS_BORDER_INSTRUMENTS
        and not is_cross_border_basis(legal_request.legal_basis)
    ):
        fired.append(
            (
                SignalCode.JURISDICTION_FOREIGN,
                f"{legal_request.jurisdiction} from an authority of {organization.country}",
            )
        )
    if not legal_basis_accepted(legal_request.kind, legal_request.legal_basis, named):
        fired.append((SignalCode.LEGAL_BASIS_NOT_ACCEPTED, legal_request.legal_basis[:120]))
    email = getattr(legal_request.submitted_by, "email", "") or ""
    if organization.email_domain and not email_in_domain(email, organization.email_domain):
        fired.append(
            (
                SignalCode.EMAIL_OUTSIDE_DOMAIN,
                f"{email or '(no e-mail)'} is not in {organization.email_domain}",
            )
        )
    overlaps = deconfliction.overlapping_requests(legal_request=legal_request, now=now)
    if any(o.legal_request.organization.kind == OrganizationKind.AUTHORITY for o in overlaps):
        fired.append((SignalCode.OVERLAP_OTHER_AUTHORITY, f"{len(overlaps)} other organization(s)"))
    return [Signal(code=code, weight=_weight(code), detail=detail) for code, detail in fired]


def intake_assess(
    *,
    actor: Actor,
    legal_request: LegalRequest,
    source_address: str | None = None,
    now: datetime | None = None,
) -> IntakeAssessment:
    """Compute the signals of a request just stored (in the submission's transaction), record
    them, and hold the request for verification when their weight reaches the threshold: a
    public timeline entry tells the organization that verification is under way (HOLD_NOTICE),
    the audit log keeps the signals."""
    now = now or timezone.now()
    signals = signals_compute(
        actor=actor, legal_request=legal_request, source_address=source_address, now=now
    )
    score = sum(signal.weight for signal in signals)
    threshold = int(settings.INTAKE_HOLD_THRESHOLD)
    held = score >= threshold
    assessment = IntakeAssessment.objects.create(
        legal_request=legal_request,
        score=score,
        threshold=threshold,
        signals=[signal.as_json() for signal in signals],
        held=held,
        source_address=source_address or None,
        assessed_at=now,
    )
    if held:
        TimelineEntry.objects.create(
            legal_request=legal_request,
            event=TimelineEntry.Event.VERIFICATION,
            status=legal_request.status,
            actor_label="Platform verification",
            message=HOLD_NOTICE,
            at=now,
        )
        audit_record(
            actor=actor,
            action=AuditAction.HELD_FOR_VERIFICATION,
            object_type="LegalRequest",
            object_id=legal_request.pk,
            organization_id=legal_request.organization_id,
            details={
                "score": score,
                "threshold": threshold,
                "signals": [signal.code for signal in signals],
            },
        )
    return assessment


def holding_assessment(legal_request: LegalRequest) -> IntakeAssessment | None:
    """The request's assessment while it holds the request (held, no callback yet), else None."""
    return IntakeAssessment.objects.filter(
        legal_request_id=legal_request.pk, held=True, verified_at__isnull=True
    ).first()


def is_held(legal_request: LegalRequest) -> bool:
    """Is the request held for verification (no data may leave it)?"""
    return holding_assessment(legal_request) is not None


def hold_refusal(legal_request: LegalRequest) -> str | None:
    """Why no data may leave the request because of a hold (None when it is not held): checked
    before a package is built, at fulfilment of every kind, and on every package read."""
    return HOLD_REFUSAL if is_held(legal_request) else None


def target_answer_refusal(legal_request: LegalRequest) -> str | None:
    """Why an answer about the targets (a rejection for unidentifiable targets or no rule
    broken, a cannot-comply for data not stored) may not be given now: the request is held
    (None when it is not). The same rule as `hold_refusal`, for answers instead of data."""
    return TARGET_ANSWER_REFUSAL if is_held(legal_request) else None


def assessment_summary(assessment: IntakeAssessment | None) -> str:
    """How staff see a request's intake signals in a list: "HELD (score 65): …", "verified",
    or the score of a request that was not held."""
    if assessment is None:
        return "-"
    names = ", ".join(SIGNAL_LABELS.get(s["code"], s["code"]) for s in assessment.signals)
    if assessment.holding:
        return f"HELD for verification (score {assessment.score}): {names}"
    if assessment.held:
        return f"verified by callback (score {assessment.score})"
    return f"score {assessment.score}" + (f": {names}" if names else "")
