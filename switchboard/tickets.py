"""Tickets: routing a request into a team's queue, and what staff and the legal review do with
it (acknowledge, assign, escalate, pause, resolve).

One routing (the `legal_request.submitted` delivery, `core.outbox.services.outbox_deliver` ->
`ticket_open_for_request`) is six SQL statements between BEGIN and COMMIT, pinned by
tests/switchboard/test_routing.py::test_one_routing_is_six_statements:

1. claim the event: `UPDATE portal_outboxevent SET delivered_at ... RETURNING` (the row lock a
   duplicate delivery waits on, and the delivered mark, rolled back if the routing fails);
2. lock the request and read what the routing needs: `SELECT ... FOR UPDATE OF r` with its
   organization, its ticket if any, the team intake chose and its on-call address, and whether
   the rule still exists (`selectors.routing_request_lock`);
3. `INSERT` the ticket (the unique constraint refuses a second one);
4. `INSERT` the team's notification (sent after commit by the batched flush: no task, no
   outbox event per ticket);
5. the move to ROUTED: the request's `UPDATE` and its timeline entry's `INSERT` in one
   statement (liaison, `lifecycle._save_with_entry`);
6. `INSERT` the audit entry, unsealed (liaison's sealer chains it later).

A request whose stored team or rule is gone, or that was stored without a routing decision,
or whose organization has a webhook or a contact e-mail (their outbox events), costs more.
The targets' pre-flight runs in the notification flush, after the commit.
"""

from __future__ import annotations

import copy
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core import rawsql
from core.actors import Actor, internal_label, public_name, staff_actor
from liaison import lifecycle
from liaison.models import LegalRequest, RequestStatus, TimelineEntry
from switchboard import permissions, selectors
from switchboard.models import (
    EscalationStep,
    Notification,
    RoutingRule,
    Team,
    Ticket,
)
from switchboard.notifications import _body, _describe, _notification_create, _now, _recipients
from switchboard.policy import team_fallback_ensure

logger = logging.getLogger(__name__)

SWITCHBOARD_ACTOR = "Switchboard"


def ticket_priority(clock: timedelta) -> int:
    """1 for clocks up to 1 h, 2 up to 8 h, 3 up to 24 h, 4 beyond."""
    hour = timedelta(hours=1)
    if clock <= hour:
        return 1
    if clock <= 8 * hour:
        return 2
    if clock <= 24 * hour:
        return 3
    return 4


def ticket_warn_at(*, due_at: datetime, clock: timedelta, warn_before: timedelta) -> datetime:
    """When to warn before a breach: `warn_before` ahead, but never before 3/4 of the clock."""
    return due_at - min(warn_before, clock / 4)


def ticket_open_for_request(
    *, legal_request_id: uuid.UUID | str, now: datetime | None = None
) -> Ticket | None:
    """Route a submitted request: open its one ticket, move it to ROUTED, record the team's
    notification (sent, with the targets' pre-flight, by the batched flush after commit).

    Idempotent: a request that already has a ticket returns it unchanged (and the ticket's
    unique constraint refuses a concurrent second one). A withdrawn or missing request gets no
    ticket. The request is read under its row lock, so a withdrawal either commits first (seen
    here: no ticket) or waits for this routing and then withdraws a ROUTED request (whose ticket
    the `status_changed` handler resolves).

    In the routing delivery's transaction this is five statements (the module docstring has
    the list): the locking read (with the ticket, the team and its on-call address, as intake
    decided them), the ticket, the notification, and liaison's move to ROUTED and its audit.
    """
    now = _now(now)
    # No savepoint of its own inside the delivery's transaction (two round trips saved): if
    # anything fails, the whole delivery rolls back and is retried anyway.
    with transaction.atomic(savepoint=False):
        locked = selectors.routing_request_lock(legal_request_id)
        if locked is None:
            logger.warning("switchboard: request %s does not exist", legal_request_id)
            return None
        if locked.ticket_id is not None:
            return Ticket.objects.get(pk=locked.ticket_id)
        legal_request = locked.legal_request
        if legal_request.status == RequestStatus.WITHDRAWN:
            return None
        route = _routing_of(locked)
        # rawsql.insert: Ticket.objects.create without the ORM's per-call query building.
        ticket = rawsql.insert(
            Ticket(
                legal_request=legal_request,
                team_id=route.team_id,
                priority=ticket_priority(route.clock),
                urgent=route.urgent,
                routing_rule_id=route.rule_id,
                routing_error=route.error,
                opened_at=now,
                clock=route.clock,
                due_at=route.due_at,
                escalation_snapshot=route.snapshot,
                next_escalation_at=now + timedelta(minutes=route.steps[0]["wait_minutes"])
                if route.steps
                else None,
                warn_at=ticket_warn_at(
                    due_at=route.due_at, clock=route.clock, warn_before=route.warn
                ),
            )
        )
        if route.error and route.rule_id is not None:
            RoutingRule.objects.filter(pk=route.rule_id).update(
                last_error=route.error[:2000],
                last_error_at=now,
                error_count=F("error_count") + 1,
            )
            lifecycle.legal_request_record_event(
                legal_request=legal_request,
                event=TimelineEntry.Event.NOTE,
                actor_label=SWITCHBOARD_ACTOR,
                message=f"{route.error}; sent to the fallback team {route.team_name}.",
                at=now,
            )
        _notification_create(
            ticket=ticket,
            kind=Notification.Kind.ROUTED,
            step=0,
            recipients=route.recipients
            if route.recipients is not None
            else _recipients(ticket, "on_call"),
            subject=f"[P{ticket.priority}] New {legal_request.get_kind_display()} for "
            f"{route.team_name}, due {route.due_at:%Y-%m-%d %H:%M} UTC",
            body=f"{_describe(legal_request)}\nFrom: {legal_request.organization.name}\n"
            f"Due: {route.due_at:%Y-%m-%d %H:%M} UTC\n",
            now=now,
            new_ticket=True,
        )
        # The desk the authority was told at intake, unless that team is gone.
        told = route.told and bool(legal_request.handling_desk)
        lifecycle.legal_request_mark_routed(
            legal_request=legal_request,
            desk_name=legal_request.handling_desk if told else route.desk_name,
            due_at=route.due_at,
            actor_label=SWITCHBOARD_ACTOR,
            locked=True,
        )
    return ticket


@dataclass(frozen=True)
class _Route:
    """What the ticket of a request is opened with: its team (with its name and desk), the
    rule, the clock and deadline, urgency, the rule's error, the chain's snapshot, and the
    notification's recipients (None: to be looked up, off the fast path)."""

    team_id: int
    team_name: str
    desk_name: str
    told: bool  # the team is the one intake decided (and told the authority the desk of)
    rule_id: int | None
    clock: timedelta
    due_at: datetime
    urgent: bool
    error: str
    snapshot: dict[str, Any]
    recipients: list[str] | None

    @property
    def steps(self) -> list[dict[str, Any]]:
        return self.snapshot["steps"]

    @property
    def warn(self) -> timedelta:
        return timedelta(seconds=self.snapshot.get("warn_before_seconds", 15 * 60))


def _routing_of(locked: selectors.RoutingLock) -> _Route:
    """The routing of a request and its deadline: the decision intake stored (the desk and
    deadline the authority was told, from the policy revision of that moment), read with the
    team by `selectors.routing_request_lock`; or, for a request stored without one, the current
    policy's. A team deleted since intake gives way to the fallback (the deadline stays)."""
    legal_request = locked.legal_request
    stored = legal_request.routing_decision or {}
    if "clock_seconds" not in stored or legal_request.due_at is None:
        decision = selectors.routing_decide(
            kind=legal_request.kind,
            category=legal_request.category,
            jurisdiction=legal_request.jurisdiction,
            instrument=legal_request.instrument or None,
        )
        return _with_team(
            team=decision.team,
            stored_team_id=stored.get("team_id"),
            rule_id=decision.rule.pk if decision.rule is not None else None,
            clock=decision.clock,
            due_at=legal_request.submitted_at + decision.clock,
            urgent=decision.urgent,
            error=decision.error,
            snapshot=copy.deepcopy(decision.escalation_snapshot),
        )
    clock = timedelta(seconds=stored["clock_seconds"])
    rule_id = stored.get("rule_id") if locked.rule_exists else None
    snapshot = copy.deepcopy(stored.get("escalation_snapshot") or {"steps": [], "chain": ""})
    if (
        locked.team_name is None or locked.team_desk is None
    ):  # the team is gone (or there was none): the fallback
        return _with_team(
            team=None,
            stored_team_id=stored.get("team_id"),
            rule_id=rule_id,
            clock=clock,
            due_at=legal_request.due_at,
            urgent=bool(stored.get("urgent")),
            error=stored.get("error", ""),
            snapshot={"steps": [], "chain": ""},
        )
    return _Route(
        team_id=stored["team_id"],
        team_name=locked.team_name,
        desk_name=locked.team_desk,
        told=True,
        rule_id=rule_id,
        clock=clock,
        due_at=legal_request.due_at,
        urgent=bool(stored.get("urgent")),
        error=stored.get("error", ""),
        snapshot=snapshot,
        # The on-call member (first in the order: a new ticket's on-call position is 0) and
        # the team mailbox, as `notifications._recipients(ticket, "on_call")` finds them.
        recipients=sorted({e for e in (locked.on_call_email, locked.team_email) if e}),
    )


def _with_team(
    *, team: Team | None, stored_team_id: int | None, snapshot: dict[str, Any], **route: Any
) -> _Route:
    """A route to `team`, or to the fallback team (created if need be) when None: then the
    fallback's own chain, if any, is snapshotted. Off the fast path: a few more queries."""
    if team is None:
        team = team_fallback_ensure()
        chain = team.escalation_chain
        snapshot = chain.snapshot() if chain is not None else {"steps": [], "chain": ""}
    return _Route(
        team_id=team.pk,
        team_name=team.name,
        desk_name=team.desk_name,
        told=stored_team_id == team.pk,
        snapshot=snapshot,
        recipients=None,
        **route,
    )


# Staff actions ---------------------------------------------------------------------------------


def _locked(ticket: Ticket) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("team", "legal_request")
        .get(pk=ticket.pk)
    )


def ticket_acknowledge(*, ticket: Ticket, actor: Actor, now: datetime | None = None) -> Ticket:
    """A team member takes note of a ticket: escalation stops (the deadline still runs)."""
    permissions.require(actor, permissions.can_acknowledge_ticket)
    now = _now(now)
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.state == Ticket.State.OPEN:
            _acknowledge_locked(ticket, actor=actor, now=now)
    return ticket


def _acknowledge_locked(ticket: Ticket, *, actor: Actor, now: datetime) -> None:
    """Acknowledge an open ticket the caller holds locked, in `actor`'s name: the organization
    sees the desk (and the display name `actor` chose), staff see who it was."""
    ticket.state = Ticket.State.ACKNOWLEDGED
    ticket.acknowledged_at = now
    ticket.acknowledged_by = actor.user
    ticket.next_escalation_at = None
    if ticket.assignee_id is None:
        ticket.assignee = actor.user
    ticket.save(
        update_fields=[
            "state",
            "acknowledged_at",
            "acknowledged_by",
            "next_escalation_at",
            "assignee",
        ]
    )
    lifecycle.legal_request_record_event(
        legal_request=ticket.legal_request,
        event=TimelineEntry.Event.ACKNOWLEDGED,
        actor_label=public_name(actor, desk=ticket.team.desk_name),
        message=f"Acknowledged by {ticket.team.desk_name}.",
        public=True,
        at=now,
    )
    lifecycle.legal_request_record_event(
        legal_request=ticket.legal_request,
        event=TimelineEntry.Event.NOTE,
        actor_label=actor.label,
        message=f"Acknowledged by {actor.label}.",
        at=now,
    )


def ticket_assign(
    *, ticket: Ticket, actor: Actor, assignee: Any, now: datetime | None = None
) -> Ticket:
    """Give a ticket to a staff member who can work tickets (assigning also acknowledges an
    open ticket, in the assignee's name)."""
    permissions.require(actor, permissions.can_assign_ticket)
    assignee_actor = staff_actor(assignee)
    if not permissions.can_acknowledge_ticket(assignee_actor):
        raise ValidationError(
            {
                "assignee": ValidationError(
                    f"{internal_label(assignee)} cannot work tickets (the "
                    f"{permissions.SWITCHBOARD} group); assign someone who can.",
                    code="permission_denied",
                )
            }
        )
    now = _now(now)
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.state == Ticket.State.RESOLVED:
            raise ValidationError("A resolved ticket cannot be assigned.", code="resolved")
        ticket.assignee = assignee
        ticket.save(update_fields=["assignee"])
        lifecycle.legal_request_record_event(
            legal_request=ticket.legal_request,
            event=TimelineEntry.Event.NOTE,
            actor_label=actor.label,
            message=f"Assigned to {internal_label(assignee)}.",
            at=now,
        )
        if ticket.state == Ticket.State.OPEN:
            _acknowledge_locked(ticket, actor=assignee_actor, now=now)
    return ticket


def ticket_resolve(*, ticket: Ticket, actor: Actor, now: datetime | None = None) -> Ticket:
    """Close a ticket: no more escalations, warnings or breaches. The ticket and its request are
    one case: while the request is open, its ticket stays (fulfilment, rejection and withdrawal
    resolve it), so staff cannot resolve it by hand (`request_open`)."""
    permissions.require(actor, permissions.can_resolve_ticket)
    now = _now(now)
    with transaction.atomic():
        ticket = _locked(ticket)
        status = LegalRequest.objects.filter(pk=ticket.legal_request_id).values_list(
            "status", flat=True
        )[0]
        if ticket.state != Ticket.State.RESOLVED and status not in REQUEST_CLOSED:
            raise ValidationError(
                f"The request is still {status}: its ticket is resolved when the request is "
                "fulfilled, rejected or withdrawn.",
                code="request_open",
            )
        if ticket.state != Ticket.State.RESOLVED:
            _resolve_locked(ticket, now=now, actor=actor, message="Ticket resolved.")
    return ticket


def _resolve_locked(ticket: Ticket, *, now: datetime, actor: Actor | None, message: str) -> None:
    """Close a ticket the caller holds locked (actor None: the switchboard itself)."""
    ticket.state = Ticket.State.RESOLVED
    ticket.resolved_at = now
    ticket.resolved_by = actor.user if actor is not None else None
    ticket.next_escalation_at = None
    ticket.paused_at = None
    ticket.save(
        update_fields=["state", "resolved_at", "resolved_by", "next_escalation_at", "paused_at"]
    )
    lifecycle.legal_request_record_event(
        legal_request=ticket.legal_request,
        event=TimelineEntry.Event.NOTE,
        actor_label=actor.label if actor is not None else SWITCHBOARD_ACTOR,
        message=message,
        at=now,
    )


REQUEST_CLOSED = frozenset(
    {RequestStatus.REJECTED, RequestStatus.FULFILLED, RequestStatus.WITHDRAWN}
)


def starts_review(payload: dict) -> bool:
    """Whether a `status_changed` event is a staff member taking the request into review."""
    return payload.get("from") == RequestStatus.ROUTED and payload.get("to") == (
        RequestStatus.UNDER_REVIEW
    )


def ticket_follow_review_start(
    *, legal_request_id: uuid.UUID | str, reviewer_id: int | None, at: str | None = None
) -> Ticket | None:
    """The review and the ticket are one case (the `status_changed` handler): the staff member
    who starts the legal review takes the ticket. An open ticket is acknowledged in their name
    (escalation stops); they become its assignee either way. Idempotent."""
    now = datetime.fromisoformat(at) if at else timezone.now()
    reviewer = get_user_model().objects.filter(pk=reviewer_id).first() if reviewer_id else None
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("team", "legal_request")
            .filter(legal_request_id=uuid.UUID(str(legal_request_id)))
            .exclude(state=Ticket.State.RESOLVED)
            .first()
        )
        if ticket is None or reviewer is None:
            return ticket
        if ticket.state == Ticket.State.OPEN:
            ticket.assignee = reviewer
            _acknowledge_locked(ticket, actor=staff_actor(reviewer), now=now)
        elif ticket.assignee_id != reviewer.pk:
            ticket.assignee = reviewer
            ticket.save(update_fields=["assignee"])
            lifecycle.legal_request_record_event(
                legal_request=ticket.legal_request,
                event=TimelineEntry.Event.NOTE,
                actor_label=SWITCHBOARD_ACTOR,
                message=f"Assigned to {internal_label(reviewer)}, who started the legal review.",
                at=now,
            )
    return ticket


def ticket_follow_request_status(
    *,
    legal_request_id: uuid.UUID | str,
    to_status: str,
    paused: bool,
    resumed: bool,
    due_at: str | None,
    at: str | None = None,
    paused_seconds: int | None = None,
) -> Ticket | None:
    """Keep a request's ticket in step with the legal review (the `status_changed` handler).

    A clarification pauses the ticket's clock (no escalation, warning or breach while the
    authority answers); the answer resumes it, with the deadline liaison pushed forward and the
    escalation and warning times shifted by the same pause; a closed request resolves the ticket.
    The times are the request's (`at`, `paused_seconds` of the event), not the delivery's, so a
    late delivery shifts the ticket exactly as much as the request.
    Idempotent: a repeated event finds the ticket already in that state.
    """
    now = datetime.fromisoformat(at) if at else timezone.now()
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update()
            .filter(legal_request_id=uuid.UUID(str(legal_request_id)))
            .exclude(state=Ticket.State.RESOLVED)
            .first()
        )
        if ticket is None:
            return None
        if to_status in REQUEST_CLOSED:
            _resolve_locked(
                ticket, now=now, actor=None, message=f"Ticket resolved: the request is {to_status}."
            )
        elif paused and ticket.paused_at is None:
            ticket.paused_at = now
            ticket.save(update_fields=["paused_at"])
        elif resumed and ticket.paused_at is not None:
            shift = (
                timedelta(seconds=paused_seconds)
                if paused_seconds is not None
                else now - ticket.paused_at
            )
            if due_at:
                ticket.due_at = datetime.fromisoformat(due_at)
            if ticket.warn_at is not None:
                ticket.warn_at += shift
            if ticket.next_escalation_at is not None:
                ticket.next_escalation_at += shift
            ticket.paused_at = None
            ticket.save(update_fields=["due_at", "warn_at", "next_escalation_at", "paused_at"])
    return ticket


STEP_RECIPIENTS = {
    EscalationStep.Action.NEXT_ON_CALL: "next",
    EscalationStep.Action.TEAM_LEAD: "lead",
    EscalationStep.Action.WHOLE_TEAM: "team",
}


def _escalate_locked(ticket: Ticket, *, now: datetime, actor_label: str, manual: bool) -> bool:
    """Take the ticket's next escalation step (caller holds the row lock). False if none left."""
    steps = ticket.escalation_snapshot.get("steps", [])
    index = ticket.escalation_step
    if index < len(steps):
        action = steps[index]["action"]
    elif manual:
        action = EscalationStep.Action.WHOLE_TEAM  # past the chain: a manual escalation goes wide
    else:
        ticket.next_escalation_at = None
        ticket.save(update_fields=["next_escalation_at"])
        return False
    if action == EscalationStep.Action.NEXT_ON_CALL:
        ticket.on_call_position += 1
    number = index + 1
    ticket.escalation_step = number
    if number < len(steps):
        # From the time this step was due, so a late sweep does not stretch the chain.
        base = now if manual or ticket.next_escalation_at is None else ticket.next_escalation_at
        ticket.next_escalation_at = base + timedelta(minutes=steps[number]["wait_minutes"])
    else:
        ticket.next_escalation_at = None
    if ticket.state != Ticket.State.OPEN:
        ticket.next_escalation_at = None
    ticket.save(update_fields=["escalation_step", "next_escalation_at", "on_call_position"])
    recipients = _recipients(ticket, STEP_RECIPIENTS.get(action, "team"))
    label = dict(EscalationStep.Action.choices).get(action, action)
    reason = "escalated by staff" if manual else "still unacknowledged"
    _record_and_notify(
        ticket,
        event=TimelineEntry.Event.ESCALATED,
        actor_label=actor_label,
        message=f"Step {number}: {reason}; {label.lower()} ({', '.join(recipients) or 'no one'}).",
        kind=Notification.Kind.ESCALATION,
        step=number,
        recipients=recipients,
        subject=f"ESCALATION {number}: ticket {ticket.pk} for {ticket.team.name} "
        "is not acknowledged",
        now=now,
    )
    return True


def _record_and_notify(
    ticket: Ticket,
    *,
    event: str,
    actor_label: str,
    message: str,
    kind: str,
    step: int,
    recipients: list[str],
    subject: str,
    now: datetime,
) -> None:
    """An internal timeline entry on the ticket's request, and the notification that goes with
    it (subject prefixed with the ticket's priority), in the caller's transaction."""
    lifecycle.legal_request_record_event(
        legal_request=ticket.legal_request,
        event=event,
        actor_label=actor_label,
        message=message,
        at=now,
    )
    _notification_create(
        ticket=ticket,
        kind=kind,
        step=step,
        recipients=recipients,
        subject=f"[P{ticket.priority}] {subject}",
        body=_body(ticket),
        now=now,
    )


def ticket_escalate(*, ticket: Ticket, actor: Actor, now: datetime | None = None) -> Ticket:
    """Staff escalate a ticket by hand: its next step (or the whole team) is notified now."""
    permissions.require(actor, permissions.can_escalate_ticket)
    now = _now(now)
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.state == Ticket.State.RESOLVED:
            raise ValidationError("A resolved ticket cannot be escalated.", code="resolved")
        _escalate_locked(ticket, now=now, actor_label=actor.label, manual=True)
    return ticket
