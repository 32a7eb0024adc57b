"""Every read of the case tool: the queue, one case with everything the case page shows, and
the dashboard's numbers. Staff only (the admin site checks the second factor; the views check
the view permissions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet

from core.outbox.models import DeadLetter
from hotline import selectors as hotline_selectors
from hotline.models import Conversation
from hotline.records import MessageView
from liaison import deconfliction, intake_signals, preservation, user_notice
from liaison.instruments import LEGAL_INSTRUMENTS, InstrumentRule
from liaison.models import (
    Approval,
    AuditEntry,
    CallbackVerification,
    CannotComplyNotice,
    DataCategory,
    DisclosurePackage,
    IntakeAssessment,
    LegalAnalysis,
    LegalDocument,
    LegalRequest,
    NoDataDecision,
    NonDisclosureOrder,
    Organization,
    Preservation,
    Target,
    TargetPreflight,
    TimelineEntry,
    UserNotice,
)
from liaison.review_policy import current_policy
from switchboard.models import Team, TeamMember, Ticket

CONVERSATION_SHOWN = 50  # the newest messages of the request's line on the case page
AUDIT_SHOWN = 200

# Who may look at cases: those who work tickets (switchboard) or review requests (liaison).
CASE_VIEW_PERMISSIONS = ("switchboard.view_ticket", "liaison.view_legalrequest")


def can_view_cases(user: Any) -> bool:
    """A staff member who may see tickets or legal requests sees cases."""
    return bool(
        getattr(user, "is_active", False)
        and getattr(user, "is_staff", False)
        and any(user.has_perm(permission) for permission in CASE_VIEW_PERMISSIONS)
    )


def case_queue(*, user: Any, scope: str) -> QuerySet[Ticket]:
    """The queue: urgent first, then by deadline; `scope` "team" (the user's teams), "mine"
    (assigned to the user) or "all". One query for a page whatever its size."""
    tickets = Ticket.objects.select_related(
        "team",
        "assignee",
        "legal_request",
        "legal_request__organization",
        "legal_request__intake_assessment",  # the "held" flag (a LEFT JOIN: still one query)
    ).order_by("-urgent", "due_at", "id")
    if scope == "mine":
        return tickets.filter(assignee=user)
    if scope == "team":
        return tickets.filter(team__memberships__user=user)
    return tickets


def user_has_team(*, user: Any) -> bool:
    """Is the staff member in a team (the queue's default is "my team" for those who are)?"""
    return TeamMember.objects.filter(user=user).exists()


@dataclass(frozen=True)
class ChecklistRow:
    """One item of the legal analysis as the case page shows it."""

    label: str
    confirmed: bool
    required: bool
    moderation_reference: str = ""


@dataclass(frozen=True)
class TimelineRow:
    """One line of the case's timeline: a timeline entry of the request or an audit entry."""

    at: datetime
    source: str  # "timeline" or "audit"
    what: str
    actor: str
    message: str
    public: bool


@dataclass(frozen=True)
class InstrumentView:
    """The request's legal instrument as the case page shows it: named by the authority or
    inferred at intake, the law's clock and its article, and whether a document is required."""

    code: str
    label: str
    inferred: bool
    rule: InstrumentRule | None

    @property
    def clock(self) -> timedelta | None:
        return self.rule.clock if self.rule is not None else None

    @property
    def document_required(self) -> bool:
        return bool(self.rule is not None and self.rule.document_required)


@dataclass(frozen=True)
class SignalRow:
    """One intake signal that fired: its label, weight and detail."""

    label: str
    weight: int
    detail: str


@dataclass(frozen=True)
class OverlapRow:
    """Another organization's request naming some of the same targets: only what deconfliction
    needs (who, what kind, where it stands, the shared targets, the link to its case), never
    its other targets, summary, legal basis or documents."""

    reference: str
    organization: str
    kind: str
    status: str
    submitted_at: datetime
    shared_targets: tuple[tuple[str, str], ...]
    ticket_id: int | None
    legal_request_id: Any


@dataclass(frozen=True)
class PreservationRow:
    """A preservation of this request's data, or one held for this (production) request."""

    preservation: Preservation
    held_for_production: bool  # a later production request that names it is unanswered

    @property
    def production_reference(self) -> str:
        production = self.preservation.production_request
        return production.reference if production is not None else ""


@dataclass
class CaseView:
    """Everything the case page shows, read in a fixed number of queries."""

    ticket: Ticket
    legal_request: LegalRequest
    organization: Organization
    targets: list[Target]
    documents: list[LegalDocument]
    analysis: LegalAnalysis | None
    checklist: list[ChecklistRow]
    missing_checks: list[str]
    approvals: list[Approval]
    approvals_required: int
    callbacks: list[CallbackVerification]
    package: DisclosurePackage | None
    conversation: Conversation | None
    messages: list[MessageView]
    timeline: list[TimelineRow]
    policy_version: str
    colleagues: list[Any] = field(default_factory=list)
    instrument: InstrumentView | None = None
    assessment: IntakeAssessment | None = None
    signals: list[SignalRow] = field(default_factory=list)
    preflights: list[TargetPreflight] = field(default_factory=list)
    overlaps: list[OverlapRow] = field(default_factory=list)
    cannot_comply_notices: list[CannotComplyNotice] = field(default_factory=list)
    non_disclosure_order: NonDisclosureOrder | None = None
    user_notice: UserNotice | None = None
    no_data: NoDataDecision | None = None
    preservations: list[PreservationRow] = field(default_factory=list)

    @property
    def held(self) -> bool:
        """Held for verification: no data leaves the request until the callback."""
        return self.assessment is not None and self.assessment.holding

    @property
    def callback_shown(self) -> bool:
        """The callback panel: emergencies, and requests held for verification (any kind)."""
        return self.legal_request.kind == "EMERGENCY_DISCLOSURE" or (
            self.assessment is not None and self.assessment.held
        )

    @property
    def clock_paused_at(self) -> datetime | None:
        return self.legal_request.clock_paused_at

    @property
    def left_when_paused(self) -> timedelta | None:
        """The request's time left when its legal clock stopped (None while it runs)."""
        paused, due = self.legal_request.clock_paused_at, self.legal_request.due_at
        return due - paused if paused is not None and due is not None else None

    @property
    def open_cannot_comply(self) -> CannotComplyNotice | None:
        return next((n for n in self.cannot_comply_notices if n.resolved_at is None), None)

    @property
    def user_notice_from(self) -> datetime | None:
        """From when the user may be told (liaison.user_notice's rule, given the order already
        read: no query)."""
        return user_notice.user_notice_from(self.legal_request, order=self.non_disclosure_order)

    @property
    def data_categories(self) -> list[str]:
        """The data asked for, as staff read it ("IP addresses", not "IP_ADDRESSES")."""
        labels = dict(DataCategory.choices)
        return [str(labels.get(code, code)) for code in self.legal_request.data_categories or []]

    @property
    def approvals_given(self) -> int:
        return len({approval.approver_id for approval in self.approvals})

    @property
    def paused(self) -> bool:
        return self.ticket.paused_at is not None

    def time_left(self, now: datetime) -> timedelta:
        """Until the deadline; while paused, what was left when the clock stopped."""
        if self.ticket.paused_at is not None:
            return self.ticket.due_at - self.ticket.paused_at
        return self.ticket.due_at - now


def case_get(*, ticket_id: object) -> CaseView | None:
    """One case by its ticket's id, None if there is none."""
    try:
        pk = int(str(ticket_id))
    except ValueError:
        return None
    ticket = (
        Ticket.objects.select_related(
            "team",
            "assignee",
            "acknowledged_by",
            "resolved_by",
            "legal_request__organization",
            # The request's one-to-one records: LEFT JOINs of the same query.
            "legal_request__intake_assessment",
            "legal_request__non_disclosure_order",
            "legal_request__user_notice",
            "legal_request__no_data_decision__decided_by",
            "legal_request__preservation__production_request",
        )
        .filter(pk=pk)
        .first()
    )
    if ticket is None:
        return None
    legal_request = ticket.legal_request
    policy = current_policy()
    analysis = LegalAnalysis.objects.filter(legal_request=legal_request).first()
    assessment: IntakeAssessment | None = _one_to_one(legal_request, "intake_assessment")
    required = {name for name, _ in policy.required_checks(legal_request.kind)}
    checklist = [
        ChecklistRow(
            label=policy.label(name),
            confirmed=bool(analysis is not None and getattr(analysis, name)),
            required=name in required,
            moderation_reference=(
                analysis.moderation_reference if analysis and name == "rules_broken" else ""
            ),
        )
        for name, _ in policy.checks
    ]
    conversation = Conversation.objects.filter(legal_request=legal_request).first()
    messages = (
        hotline_selectors.message_list(conversation=conversation, first=CONVERSATION_SHOWN)
        if conversation is not None
        else []
    )
    return CaseView(
        ticket=ticket,
        legal_request=legal_request,
        organization=legal_request.organization,
        targets=list(legal_request.targets.all()),
        documents=list(LegalDocument.objects.filter(legal_request=legal_request)),
        analysis=analysis,
        checklist=checklist,
        missing_checks=policy.missing_checks(analysis, legal_request.kind),
        approvals=list(
            Approval.objects.filter(legal_request=legal_request, set_aside_at__isnull=True)
            .select_related("approver")
            .order_by("approved_at", "id")
        ),
        approvals_required=policy.approvals_required(legal_request.kind),
        callbacks=list(
            CallbackVerification.objects.filter(legal_request=legal_request)
            .select_related("called_by")
            .order_by("called_at", "id")
        ),
        package=DisclosurePackage.objects.filter(legal_request=legal_request).first(),
        conversation=conversation,
        messages=messages,
        timeline=case_timeline(legal_request=legal_request),
        policy_version=policy.version,
        colleagues=team_colleagues(team=ticket.team),
        instrument=_instrument(legal_request),
        assessment=assessment,
        signals=[
            SignalRow(
                label=intake_signals.SIGNAL_LABELS.get(s["code"], s["code"]),
                weight=int(s.get("weight", 0)),
                detail=str(s.get("detail", "")),
            )
            for s in (assessment.signals if assessment is not None else [])
        ],
        preflights=list(TargetPreflight.objects.filter(legal_request=legal_request)),
        overlaps=case_overlaps(legal_request=legal_request),
        cannot_comply_notices=list(
            CannotComplyNotice.objects.filter(legal_request=legal_request).select_related(
                "raised_by"
            )
        ),
        non_disclosure_order=_one_to_one(legal_request, "non_disclosure_order"),
        user_notice=_one_to_one(legal_request, "user_notice"),
        no_data=_one_to_one(legal_request, "no_data_decision"),
        preservations=case_preservations(legal_request=legal_request),
    )


def _one_to_one(legal_request: LegalRequest, name: str) -> Any:
    """A reverse one-to-one the case query joined, or None (no query either way)."""
    return getattr(legal_request, name, None)


def _instrument(legal_request: LegalRequest) -> InstrumentView | None:
    code = legal_request.instrument
    if not code:
        return None
    rule = LEGAL_INSTRUMENTS.get(code)
    return InstrumentView(
        code=code,
        label=rule.label if rule is not None else code,
        inferred=legal_request.instrument_inferred,
        rule=rule,
    )


def case_overlaps(*, legal_request: LegalRequest) -> list[OverlapRow]:
    """Other organizations' requests with a shared target (liaison.deconfliction), each with
    the id of its ticket for the link to its case. Three queries whatever their number."""
    overlaps = deconfliction.overlapping_requests(legal_request=legal_request)
    if not overlaps:
        return []
    ticket_ids = dict(
        Ticket.objects.filter(
            legal_request_id__in=[o.legal_request.pk for o in overlaps]
        ).values_list("legal_request_id", "pk")
    )
    return [
        OverlapRow(
            reference=o.legal_request.reference,
            organization=o.legal_request.organization.name,
            kind=o.legal_request.get_kind_display(),
            status=o.legal_request.get_status_display(),
            submitted_at=o.legal_request.submitted_at,
            shared_targets=o.targets,
            ticket_id=ticket_ids.get(o.legal_request.pk),
            legal_request_id=o.legal_request.pk,
        )
        for o in overlaps
    ]


def case_preservations(*, legal_request: LegalRequest) -> list[PreservationRow]:
    """The request's own preservation (joined with the case) and those a later production
    request (this one) holds: one query for the latter."""
    found: list[Preservation] = []
    own = _one_to_one(legal_request, "preservation")
    if own is not None:
        found.append(own)
    found += list(
        Preservation.objects.filter(production_request=legal_request)
        .exclude(legal_request=legal_request)
        .select_related("legal_request", "production_request")
    )
    return [
        PreservationRow(preservation=p, held_for_production=preservation.preservation_is_held(p))
        for p in found
    ]


def team_colleagues(*, team: Team) -> list[Any]:
    """The active staff members of a team, in on-call order: whom a ticket can be given to
    (the assign service checks that the one chosen can work tickets)."""
    return list(
        get_user_model()
        .objects.filter(
            hotline_memberships__team=team,
            is_active=True,
            is_staff=True,
        )
        .order_by("hotline_memberships__position", "pk")
    )


def case_audit_entries(*, legal_request: LegalRequest) -> QuerySet[AuditEntry]:
    """The audit log's entries about this request and its documents and package."""
    return AuditEntry.objects.filter(
        Q(object_type="LegalRequest", object_id=str(legal_request.pk))
        | Q(details__legal_request_id=str(legal_request.pk))
    ).order_by("id")


def case_timeline(*, legal_request: LegalRequest) -> list[TimelineRow]:
    """The request's timeline and the audit entries of the case, oldest first (two queries)."""
    rows = [
        TimelineRow(
            at=entry.at,
            source="timeline",
            what=entry.get_event_display(),
            actor=entry.actor_label,
            message=entry.message,
            public=entry.public,
        )
        for entry in TimelineEntry.objects.filter(legal_request=legal_request).order_by("at", "id")
    ]
    rows += [
        TimelineRow(
            at=entry.at,
            source="audit",
            what=entry.action,
            actor=entry.actor_label,
            message=_audit_object(entry, legal_request),
            public=False,
        )
        for entry in case_audit_entries(legal_request=legal_request)[:AUDIT_SHOWN]
    ]
    return sorted(rows, key=lambda row: row.at)


def _audit_object(entry: AuditEntry, legal_request: LegalRequest) -> str:
    """What an audit entry is about, short: the request itself goes without saying."""
    place = f"audit #{entry.seq}" if entry.seq is not None else "audit, being sealed"
    if entry.object_type == "LegalRequest" and entry.object_id == str(legal_request.pk):
        return place
    return f"{entry.object_type} {entry.object_id[:8]} ({place})"


@dataclass(frozen=True)
class TeamCount:
    """Open tickets of one team."""

    team_id: int
    name: str
    open: int


@dataclass(frozen=True)
class Dashboard:
    """The numbers on the admin index, each the count of a filtered queue."""

    teams: list[TeamCount]
    overdue: int
    due_within_hour: int
    breaches_today: int
    dead_letters: int
    held_for_verification: int = 0


# Tickets whose request is held for verification at intake (no callback recorded yet).
HELD_FOR_VERIFICATION = Q(
    legal_request__intake_assessment__held=True,
    legal_request__intake_assessment__verified_at__isnull=True,
)


def start_of_day(now: datetime) -> datetime:
    """Midnight UTC of `now`'s day ("today" of the dashboard is the UTC day)."""
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def dashboard_get(*, now: datetime) -> Dashboard:
    """Open tickets per team, overdue and due within the hour (clock running), breaches since
    midnight UTC, held for verification, dead letters waiting for staff. Four queries."""
    per_team = Team.objects.annotate(
        open=Count("tickets", filter=~Q(tickets__state=Ticket.State.RESOLVED))
    ).order_by("name")
    unresolved = Ticket.objects.unresolved()
    counts = unresolved.aggregate(
        # As the "overdue" list counts (TicketQuerySet.overdue): a paused clock is not overdue.
        overdue=Count("pk", filter=Q(due_at__lte=now, paused_at__isnull=True)),
        due_within_hour=Count(
            "pk",
            filter=Q(due_at__gt=now, due_at__lte=now + timedelta(hours=1), paused_at__isnull=True),
        ),
        held_for_verification=Count("pk", filter=HELD_FOR_VERIFICATION),
    )
    breaches = Ticket.objects.filter(breached_at__gte=start_of_day(now)).count()
    return Dashboard(
        teams=[TeamCount(team_id=t.pk, name=t.name, open=t.open) for t in per_team],
        overdue=counts["overdue"],
        due_within_hour=counts["due_within_hour"],
        breaches_today=breaches,
        dead_letters=DeadLetter.objects.filter(redriven_at__isnull=True).count(),
        held_for_verification=counts["held_for_verification"],
    )
