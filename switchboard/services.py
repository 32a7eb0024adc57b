"""Every write of the switchboard: open tickets, acknowledge/assign/escalate/resolve them, sweep
deadlines, send notifications, and seed the default policy."""

from __future__ import annotations

import copy
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from core.broadcast import group_send
from core.outbox.services import dead_letter_record, outbox_redrive
from liaison import lifecycle
from liaison.models import LegalRequest, RequestCategory, RequestKind, RequestStatus, TimelineEntry
from switchboard import selectors
from switchboard.defaults import (
    CLOCK_NOTES,
    DEFAULT_CLOCKS,
    DEFAULT_FALLBACK_DESK,
    DEFAULT_FALLBACK_TEAM,
)
from switchboard.models import (
    EscalationChain,
    EscalationStep,
    LegalClock,
    Notification,
    PolicyRevision,
    RoutingRule,
    Team,
    Ticket,
    Urgency,
)
from switchboard.regions import Region

logger = logging.getLogger(__name__)

SWITCHBOARD_ACTOR = "Switchboard"
NOTIFICATION_UNSENT_AFTER = timedelta(seconds=10)
NOTIFICATION_LOST_AFTER = timedelta(minutes=5)
NOTIFICATION_CLAIM_LEASE = timedelta(minutes=5)
NOTIFICATION_MAX_ATTEMPTS = 6
REDRIVE_BATCH = 500
REDRIVE_BUDGET_SECONDS = 20.0


def _now(now: datetime | None) -> datetime:
    return now if now is not None else timezone.now()


def _user_label(user: Any) -> str:
    return str(getattr(user, "email", "") or user.get_username())


def staff_group_name(team_id: int) -> str:
    """The channels group of a team's staff pages."""
    return f"staff.team.{team_id}"


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


# Policy ------------------------------------------------------------------------------------------


def policy_revision_bump() -> None:
    """Record that the routing policy changed (in the caller's transaction)."""
    changed = PolicyRevision.objects.filter(pk=1).update(
        token=uuid.uuid4(), changed_at=timezone.now()
    )
    if not changed:
        PolicyRevision.objects.get_or_create(pk=1)


# Fallback ------------------------------------------------------------------------------------


def team_fallback_ensure() -> Team:
    """The fallback team, created with the default desk if a database has none."""
    team = selectors.team_fallback_get()
    if team is not None:
        return team
    try:
        with transaction.atomic():
            team, _ = Team.objects.get_or_create(
                name=DEFAULT_FALLBACK_TEAM,
                defaults={"desk_name": DEFAULT_FALLBACK_DESK, "is_fallback": True},
            )
            if not team.is_fallback:
                Team.objects.filter(pk=team.pk).update(is_fallback=True)
                policy_revision_bump()
    except IntegrityError:  # another process created it at the same moment
        pass
    team = selectors.team_fallback_get()
    if team is None:  # pragma: no cover - only if the row vanished between the two statements
        raise RuntimeError("No fallback team could be created.")
    return team


def team_make_fallback(*, team: Team) -> Team:
    """Move the fallback role to `team` (there is always exactly one fallback)."""
    with transaction.atomic():
        Team.objects.filter(is_fallback=True).exclude(pk=team.pk).update(is_fallback=False)
        Team.objects.filter(pk=team.pk).update(is_fallback=True)
        policy_revision_bump()
    team.refresh_from_db()
    return team


def routing_rule_save(*, rule: RoutingRule) -> RoutingRule:
    """Validate (field-level errors) and save a routing rule."""
    rule.full_clean()
    rule.save()
    return rule


# Routing -------------------------------------------------------------------------------------


def _recipients(ticket: Ticket, who: str) -> list[str]:
    """E-mail addresses for a notification: `on_call` (current on-call person), `next`, `lead`,
    `team` (everyone) or `assignee`; the team mailbox is always included."""
    team = ticket.team
    members = list(team.memberships.select_related("user").order_by("position", "id"))
    emails: list[str] = []
    if who in ("on_call", "next") and members:
        emails.append(members[ticket.on_call_position % len(members)].user.email)
    elif who == "lead":
        emails += [m.user.email for m in members if m.is_lead]
    elif who == "team":
        emails += [m.user.email for m in members]
    elif who == "assignee" and ticket.assignee is not None:
        emails.append(ticket.assignee.email)
    if team.email:
        emails.append(team.email)
    return sorted({e for e in emails if e})


def _notification_create(
    *,
    ticket: Ticket,
    kind: str,
    step: int,
    recipients: list[str],
    subject: str,
    body: str,
    now: datetime,
    new_ticket: bool = False,
) -> Notification | None:
    """Record a notification in the current transaction and send it after commit; None if this
    ticket already has one of this kind and step (a ticket created in this very transaction
    cannot, so it skips the savepoint)."""
    fields = {
        "ticket": ticket,
        "kind": kind,
        "step": step,
        "recipients": recipients,
        "subject": subject,
        "body": body,
        "created_at": now,
        # Marked enqueued up front (one UPDATE fewer); a failed enqueue clears the mark.
        "enqueued_at": timezone.now(),
    }
    if new_ticket:
        notification = Notification.objects.create(**fields)
    else:
        try:
            with transaction.atomic():
                notification = Notification.objects.create(**fields)
        except IntegrityError:
            return None
    queue = "urgent" if ticket.urgent else "default"
    transaction.on_commit(
        lambda: notification_enqueue(notification_id=notification.pk, queue=queue, mark=False)
    )
    return notification


def _body(ticket: Ticket) -> str:
    return f"{_describe(ticket.legal_request)}\nDue: {ticket.due_at:%Y-%m-%d %H:%M} UTC\n"


def _describe(legal_request: LegalRequest) -> str:
    return (
        f"{legal_request.get_kind_display()} · {legal_request.get_category_display()} · "
        f"{legal_request.jurisdiction} · ref. {legal_request.reference}"
    )


def ticket_open_for_request(
    *, legal_request_id: uuid.UUID | str, now: datetime | None = None
) -> Ticket | None:
    """Route a submitted request: open its one ticket, move it to ROUTED, notify the team.

    Idempotent: a request that already has a ticket returns it unchanged (and the unique
    constraint stops a concurrent second one). A withdrawn or missing request gets no ticket.
    """
    now = _now(now)
    # No savepoint of its own inside the delivery's transaction (two round trips saved): if
    # anything fails, the whole delivery rolls back and is retried anyway.
    with transaction.atomic(savepoint=False):
        legal_request = (
            # of=self: lock the request only, not its organization (whose other submissions
            # must not wait for this routing).
            LegalRequest.objects.select_for_update(of=("self",))
            .select_related("organization")
            .filter(pk=legal_request_id)
            .first()
        )
        if legal_request is None:
            logger.warning("switchboard: request %s does not exist", legal_request_id)
            return None
        existing = Ticket.objects.filter(legal_request=legal_request).first()
        if existing is not None:
            return existing
        if legal_request.status == RequestStatus.WITHDRAWN:
            return None
        decision = selectors.routing_decide(
            kind=legal_request.kind,
            category=legal_request.category,
            jurisdiction=legal_request.jurisdiction,
        )
        team = decision.team or team_fallback_ensure()
        snapshot = copy.deepcopy(decision.escalation_snapshot)
        if decision.team is None:  # the fallback was just created: its chain, if any
            chain = team.escalation_chain
            snapshot = chain.snapshot() if chain is not None else {"steps": [], "chain": ""}
        warn_before = timedelta(seconds=snapshot.get("warn_before_seconds", 15 * 60))
        steps = snapshot["steps"]
        due_at = legal_request.submitted_at + decision.clock
        ticket = Ticket.objects.create(
            legal_request=legal_request,
            team=team,
            priority=ticket_priority(decision.clock),
            urgent=decision.urgent,
            routing_rule=decision.rule,
            routing_error=decision.error,
            opened_at=now,
            clock=decision.clock,
            due_at=due_at,
            escalation_snapshot=snapshot,
            next_escalation_at=now + timedelta(minutes=steps[0]["wait_minutes"]) if steps else None,
            warn_at=ticket_warn_at(due_at=due_at, clock=decision.clock, warn_before=warn_before),
        )
        if decision.error and decision.rule is not None:
            RoutingRule.objects.filter(pk=decision.rule.pk).update(
                last_error=decision.error[:2000],
                last_error_at=now,
                error_count=F("error_count") + 1,
            )
            lifecycle.legal_request_record_event(
                legal_request=legal_request,
                event=TimelineEntry.Event.NOTE,
                actor_label=SWITCHBOARD_ACTOR,
                message=f"{decision.error}; sent to the fallback team {team.name}.",
                at=now,
            )
        _notification_create(
            ticket=ticket,
            kind=Notification.Kind.ROUTED,
            step=0,
            recipients=_recipients(ticket, "on_call"),
            subject=f"[P{ticket.priority}] New {legal_request.get_kind_display()} for "
            f"{team.name}, due {due_at:%Y-%m-%d %H:%M} UTC",
            body=f"{_describe(legal_request)}\nFrom: {legal_request.organization.name}\n"
            f"Due: {due_at:%Y-%m-%d %H:%M} UTC\n",
            now=now,
            new_ticket=True,
        )
        # Last: it ends in the liaison audit log, whose global lock is held until our commit.
        lifecycle.legal_request_mark_routed(
            legal_request=legal_request,
            desk_name=team.desk_name,
            due_at=due_at,
            actor_label=SWITCHBOARD_ACTOR,
            locked=True,  # read under a row lock, with its organization, above
        )
    return ticket


# Staff actions ---------------------------------------------------------------------------------


def _locked(ticket: Ticket) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("team", "legal_request")
        .get(pk=ticket.pk)
    )


def ticket_acknowledge(*, ticket: Ticket, actor: Any, now: datetime | None = None) -> Ticket:
    """A team member takes note of a ticket: escalation stops (the deadline still runs)."""
    now = _now(now)
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.state != Ticket.State.OPEN:
            return ticket
        ticket.state = Ticket.State.ACKNOWLEDGED
        ticket.acknowledged_at = now
        ticket.acknowledged_by = actor
        ticket.next_escalation_at = None
        if ticket.assignee_id is None:
            ticket.assignee = actor
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
            actor_label=ticket.team.desk_name,
            message=f"Acknowledged by {ticket.team.desk_name}.",
            public=True,
            at=now,
        )
        lifecycle.legal_request_record_event(
            legal_request=ticket.legal_request,
            event=TimelineEntry.Event.NOTE,
            actor_label=_user_label(actor),
            message=f"Acknowledged by {_user_label(actor)}.",
            at=now,
        )
    return ticket


def ticket_assign(
    *, ticket: Ticket, actor: Any, assignee: Any, now: datetime | None = None
) -> Ticket:
    """Give a ticket to a staff member (assigning also acknowledges an open ticket)."""
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
            actor_label=_user_label(actor),
            message=f"Assigned to {_user_label(assignee)}.",
            at=now,
        )
    if ticket.state == Ticket.State.OPEN:
        ticket = ticket_acknowledge(ticket=ticket, actor=assignee, now=now)
    return ticket


def ticket_resolve(*, ticket: Ticket, actor: Any, now: datetime | None = None) -> Ticket:
    """Close a ticket: no more escalations, warnings or breaches."""
    now = _now(now)
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.state != Ticket.State.RESOLVED:
            _resolve_locked(ticket, now=now, actor=actor, message="Ticket resolved.")
    return ticket


def _resolve_locked(ticket: Ticket, *, now: datetime, actor: Any, message: str) -> None:
    """Close a ticket the caller holds locked (actor None: the switchboard itself)."""
    ticket.state = Ticket.State.RESOLVED
    ticket.resolved_at = now
    ticket.resolved_by = actor
    ticket.next_escalation_at = None
    ticket.paused_at = None
    ticket.save(
        update_fields=["state", "resolved_at", "resolved_by", "next_escalation_at", "paused_at"]
    )
    lifecycle.legal_request_record_event(
        legal_request=ticket.legal_request,
        event=TimelineEntry.Event.NOTE,
        actor_label=_user_label(actor) if actor is not None else SWITCHBOARD_ACTOR,
        message=message,
        at=now,
    )


REQUEST_CLOSED = frozenset(
    {RequestStatus.REJECTED, RequestStatus.FULFILLED, RequestStatus.WITHDRAWN}
)


def ticket_follow_request_status(
    *,
    legal_request_id: uuid.UUID | str,
    to_status: str,
    paused: bool,
    resumed: bool,
    due_at: str | None,
) -> Ticket | None:
    """Keep a request's ticket in step with the legal review (the `status_changed` handler).

    A clarification pauses the ticket's clock (no escalation, warning or breach while the
    authority answers); the answer resumes it, with the deadline liaison pushed forward and the
    escalation and warning times shifted by the same pause; a closed request resolves the ticket.
    Idempotent: a repeated event finds the ticket already in that state.
    """
    now = timezone.now()
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
            shift = now - ticket.paused_at
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


def ticket_escalate(*, ticket: Ticket, actor: Any, now: datetime | None = None) -> Ticket:
    """Staff escalate a ticket by hand: its next step (or the whole team) is notified now."""
    now = _now(now)
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.state == Ticket.State.RESOLVED:
            raise ValidationError("A resolved ticket cannot be escalated.", code="resolved")
        _escalate_locked(ticket, now=now, actor_label=_user_label(actor), manual=True)
    return ticket


# The sweeper -------------------------------------------------------------------------------------


@dataclass
class SweepReport:
    """What one sweep did."""

    escalated: int = 0
    warned: int = 0
    breached: int = 0
    redriven_events: int = 0
    redriven_notifications: int = 0


def _sweep_escalations(now: datetime, limit: int) -> int:
    due = list(
        Ticket.objects.filter(
            state=Ticket.State.OPEN, next_escalation_at__lte=now, paused_at__isnull=True
        )
        .order_by("next_escalation_at")
        .values_list("pk", flat=True)[:limit]
    )
    done = 0
    for ticket_id in due:
        with transaction.atomic():
            # skip_locked: a concurrent sweep (or a staff action) has this ticket; it does it.
            ticket = (
                Ticket.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("team", "legal_request")
                .filter(
                    pk=ticket_id,
                    state=Ticket.State.OPEN,
                    next_escalation_at__lte=now,
                    paused_at__isnull=True,
                )
                .first()
            )
            if ticket is not None and _escalate_locked(
                ticket, now=now, actor_label=SWITCHBOARD_ACTOR, manual=False
            ):
                done += 1
    return done


def _sweep_once(
    *,
    now: datetime,
    limit: int,
    due: Q,
    order_by: str,
    stamp: str,
    on_stamped: Callable[[Ticket], None],
) -> int:
    """Stamp `stamp` (breached_at, warned_at) on each running ticket that is `due`, exactly once:
    the conditional UPDATE is the guard, so concurrent sweeps never both win a ticket. Each won
    ticket is handed to `on_stamped` in the same transaction."""
    unstamped = Q(**{f"{stamp}__isnull": True})
    candidates = list(
        Ticket.objects.clock_running()
        .filter(unstamped & due)
        .order_by(order_by)
        .values_list("pk", flat=True)[:limit]
    )
    done = 0
    for ticket_id in candidates:
        with transaction.atomic():
            won = (
                Ticket.objects.clock_running()
                .filter(unstamped & due, pk=ticket_id)
                .update(**{stamp: now})
            )
            if won:
                on_stamped(
                    Ticket.objects.select_related("team", "legal_request", "assignee").get(
                        pk=ticket_id
                    )
                )
                done += 1
    return done


def _sweep_breaches(now: datetime, limit: int) -> int:
    def breached(ticket: Ticket) -> None:
        _record_and_notify(
            ticket,
            event=TimelineEntry.Event.BREACHED,
            actor_label=SWITCHBOARD_ACTOR,
            message=f"Deadline {ticket.due_at:%Y-%m-%d %H:%M} UTC passed "
            f"({ticket.get_state_display().lower()}).",
            kind=Notification.Kind.BREACHED,
            step=0,
            recipients=sorted(
                set(_recipients(ticket, "lead")) | set(_recipients(ticket, "assignee"))
            ),
            subject=f"DEADLINE BREACHED: ticket {ticket.pk} ({ticket.team.name})",
            now=now,
        )

    return _sweep_once(
        now=now,
        limit=limit,
        due=Q(due_at__lte=now),
        order_by="due_at",
        stamp="breached_at",
        on_stamped=breached,
    )


def _sweep_warnings(now: datetime, limit: int) -> int:
    def warned(ticket: Ticket) -> None:
        left = max(int((ticket.due_at - now).total_seconds() // 60), 0)
        _record_and_notify(
            ticket,
            event=TimelineEntry.Event.BREACH_WARNING,
            actor_label=SWITCHBOARD_ACTOR,
            message=f"{left} min left before the deadline.",
            kind=Notification.Kind.BREACH_WARNING,
            step=0,
            recipients=_recipients(ticket, "assignee" if ticket.assignee_id else "on_call"),
            subject=f"{left} min left: ticket {ticket.pk} ({ticket.team.name})",
            now=now,
        )

    # A ticket already breached gets no warning (breaches are swept first).
    return _sweep_once(
        now=now,
        limit=limit,
        due=Q(warn_at__lte=now, breached_at__isnull=True),
        order_by="warn_at",
        stamp="warned_at",
        on_stamped=warned,
    )


def switchboard_sweep(
    *, now: datetime | None = None, limit: int = 500, redrive: bool = True
) -> SweepReport:
    """The periodic sweep: escalate, record breaches (exactly once), warn (once), and re-drive
    outbox events and notifications that never reached Celery. Safe to run concurrently."""
    now = _now(now)
    report = SweepReport()
    report.escalated = _sweep_escalations(now, limit)
    report.breached = _sweep_breaches(now, limit)  # before warnings: no warning after a breach
    report.warned = _sweep_warnings(now, limit)
    if redrive:
        # In batches until done (or out of time): after a long broker outage thousands of
        # events wait, and all must be on their way within a minute of the broker's return.
        deadline = time.monotonic() + REDRIVE_BUDGET_SECONDS
        while True:
            batch = outbox_redrive(limit=REDRIVE_BATCH)
            report.redriven_events += batch
            if batch < REDRIVE_BATCH or time.monotonic() > deadline:
                break
        while True:
            batch = notification_redrive(now=now, limit=REDRIVE_BATCH)
            report.redriven_notifications += batch
            if batch < REDRIVE_BATCH or time.monotonic() > deadline:
                break
    return report


# Notifications -----------------------------------------------------------------------------------


def notification_enqueue(*, notification_id: int, queue: str, mark: bool = True) -> bool:
    """Hand a notification to Celery; False (the sweeper re-drives it) if the broker is down.

    `mark` records when it was enqueued (a new notification carries that mark already)."""
    from switchboard.tasks import send_notification_task

    try:
        send_notification_task.apply_async(args=[notification_id], queue=queue, retry=False)
    except Exception:  # the broker is unreachable
        logger.warning("switchboard: could not enqueue notification %s", notification_id)
        Notification.objects.filter(pk=notification_id, sent_at__isnull=True).update(
            enqueued_at=None
        )
        return False
    if mark:
        Notification.objects.filter(pk=notification_id).update(enqueued_at=timezone.now())
    return True


def notification_redrive(*, now: datetime | None = None, limit: int = 500) -> int:
    """Enqueue again the unsent notifications that never reached Celery or were lost."""
    now = _now(now)
    stale = list(
        Notification.objects.filter(sent_at__isnull=True, gave_up_at__isnull=True)
        .filter(
            Q(enqueued_at__isnull=True, created_at__lte=now - NOTIFICATION_UNSENT_AFTER)
            | Q(enqueued_at__lte=now - NOTIFICATION_LOST_AFTER)
        )
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lte=now - NOTIFICATION_CLAIM_LEASE))
        .select_related("ticket")
        .order_by("created_at")[:limit]
    )
    enqueued = 0
    for notification in stale:
        queue = "urgent" if notification.ticket.urgent else "default"
        if not notification_enqueue(notification_id=notification.pk, queue=queue):
            break
        enqueued += 1
    return enqueued


def _push_to_staff(notification: Notification) -> None:
    """Live update of the team's staff pages (best effort: the e-mail is the record)."""
    ticket = notification.ticket
    group_send(
        staff_group_name(ticket.team_id),
        {
            "type": "ticket.notification",
            "ticket_id": ticket.pk,
            "kind": notification.kind,
            "step": notification.step,
            "subject": notification.subject,
            "due_at": ticket.due_at.isoformat(),
        },
    )


def notification_send(*, notification_id: int, now: datetime | None = None) -> bool:
    """Send one notification (e-mail, then live push) unless it was sent or is being sent.

    The claim is a conditional UPDATE (sent_at IS NULL and no live claim), so duplicate tasks
    do nothing; a failed send releases the claim for the retry. Returns True if it sent.
    """
    now = _now(now)
    claimed = (
        Notification.objects.filter(
            pk=notification_id, sent_at__isnull=True, gave_up_at__isnull=True
        )
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lte=now - NOTIFICATION_CLAIM_LEASE))
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("ticket").get(pk=notification_id)
    try:
        if notification.recipients:
            send_mail(
                notification.subject,
                notification.body,
                settings.DEFAULT_FROM_EMAIL,
                notification.recipients,
            )
    except Exception as error:
        Notification.objects.filter(pk=notification_id).update(
            claimed_at=None, last_error=repr(error)[:2000]
        )
        raise
    Notification.objects.filter(pk=notification_id, sent_at__isnull=True).update(
        sent_at=timezone.now(), last_error=""
    )
    _push_to_staff(notification)
    return True


def notification_give_up(*, notification_id: int, error: str, task_name: str) -> None:
    """Stop retrying a notification and park it as a dead letter for staff."""
    with transaction.atomic():
        Notification.objects.filter(pk=notification_id, gave_up_at__isnull=True).update(
            gave_up_at=timezone.now(), claimed_at=None, last_error=error[:2000]
        )
        notification = Notification.objects.select_related("ticket").get(pk=notification_id)
        dead_letter_record(
            key=f"notification:{notification_id}",
            task_name=task_name,
            args=[notification_id],
            queue="urgent" if notification.ticket.urgent else "default",
            error=error,
            attempts=notification.attempts,
        )


def notification_revive(*, notification_id: int) -> bool:
    """Give a dead-lettered notification a fresh set of attempts (staff action)."""
    with transaction.atomic():
        revived = Notification.objects.filter(
            pk=notification_id, sent_at__isnull=True, gave_up_at__isnull=False
        ).update(gave_up_at=None, attempts=0, enqueued_at=None, claimed_at=None)
        if revived:
            notification = Notification.objects.select_related("ticket").get(pk=notification_id)
            queue = "urgent" if notification.ticket.urgent else "default"
            transaction.on_commit(
                lambda: notification_enqueue(notification_id=notification_id, queue=queue)
            )
    return bool(revived)


# Default policy ----------------------------------------------------------------------------------


def legal_clock_seed_defaults() -> None:
    """Create the default legal clocks of DESIGN.md that are missing (never overwrites edits)."""
    for (kind, category), duration in DEFAULT_CLOCKS.items():
        LegalClock.objects.get_or_create(
            kind=kind,
            category=category or "",
            defaults={"duration": duration, "note": CLOCK_NOTES.get((kind, category), "")},
        )


URGENT_CHAIN = "Urgent (1-hour clocks)"
STANDARD_CHAIN = "Standard"
DEFAULT_CHAINS: dict[str, tuple[timedelta, list[tuple[int, str]]]] = {
    URGENT_CHAIN: (
        timedelta(minutes=15),
        [
            (5, EscalationStep.Action.NEXT_ON_CALL),
            (10, EscalationStep.Action.TEAM_LEAD),
            (15, EscalationStep.Action.WHOLE_TEAM),
        ],
    ),
    STANDARD_CHAIN: (
        timedelta(hours=2),
        [
            (60, EscalationStep.Action.NEXT_ON_CALL),
            (240, EscalationStep.Action.TEAM_LEAD),
        ],
    ),
}
DEFAULT_TEAMS: list[tuple[str, str, str, str]] = [
    # name, public desk name, mailbox, chain
    ("Counter-Terrorism Desk", "Counter-Terrorism Desk", "ct-desk@platform.example", URGENT_CHAIN),
    ("Child Safety Desk", "Child Safety Desk", "child-safety@platform.example", URGENT_CHAIN),
    (
        "Law Enforcement Response EU",
        "Law Enforcement Response (Europe)",
        "ler-eu@platform.example",
        STANDARD_CHAIN,
    ),
    (
        "Law Enforcement Response Americas",
        "Law Enforcement Response (Americas)",
        "ler-americas@platform.example",
        STANDARD_CHAIN,
    ),
    (DEFAULT_FALLBACK_TEAM, DEFAULT_FALLBACK_DESK, "legal@platform.example", STANDARD_CHAIN),
]
K, C = RequestKind, RequestCategory
DEFAULT_RULES: list[dict[str, Any]] = [
    {"position": 10, "name": "Terrorist content: removal orders and notices",
     "team": "Counter-Terrorism Desk", "kinds": [K.CONTENT_REMOVAL, K.MODERATION_NOTICE],
     "categories": [C.TERRORISM]},
    {"position": 20, "name": "Child safety: removals and notices", "team": "Child Safety Desk",
     "kinds": [K.CONTENT_REMOVAL, K.MODERATION_NOTICE], "categories": [C.CHILD_SAFETY]},
    {"position": 30, "name": "Emergencies from Europe", "team": "Law Enforcement Response EU",
     "kinds": [K.EMERGENCY_DISCLOSURE], "region": Region.EEA, "urgency": Urgency.URGENT,
     "chain": URGENT_CHAIN},
    {"position": 40, "name": "Emergencies from the Americas",
     "team": "Law Enforcement Response Americas", "kinds": [K.EMERGENCY_DISCLOSURE],
     "region": Region.AMERICAS, "urgency": Urgency.URGENT, "chain": URGENT_CHAIN},
    {"position": 50, "name": "Disclosure and preservation, Europe",
     "team": "Law Enforcement Response EU", "kinds": [K.DATA_DISCLOSURE, K.PRESERVATION],
     "region": Region.EEA, "countries": ["GB", "CH"]},
    {"position": 60, "name": "Disclosure and preservation, Americas",
     "team": "Law Enforcement Response Americas", "kinds": [K.DATA_DISCLOSURE, K.PRESERVATION],
     "region": Region.AMERICAS},
]  # fmt: skip


def switchboard_seed_defaults() -> None:
    """Idempotently create the default teams, escalation chains, routing rules and legal clocks.

    Existing rows (matched by name, or kind x category for clocks) are left as staff edited
    them; only missing ones are created. Safe to run on every start.
    """
    with transaction.atomic():
        legal_clock_seed_defaults()
        chains: dict[str, EscalationChain] = {}
        for name, (warn_before, steps) in DEFAULT_CHAINS.items():
            chain, created = EscalationChain.objects.get_or_create(
                name=name, defaults={"warn_before": warn_before}
            )
            if created:
                EscalationStep.objects.bulk_create(
                    EscalationStep(chain=chain, position=i, wait_minutes=wait, action=action)
                    for i, (wait, action) in enumerate(steps)
                )
            chains[name] = chain
        teams: dict[str, Team] = {}
        has_fallback = Team.objects.filter(is_fallback=True).exists()
        for name, desk, email, chain_name in DEFAULT_TEAMS:
            team, _ = Team.objects.get_or_create(
                name=name,
                defaults={
                    "desk_name": desk,
                    "email": email,
                    "escalation_chain": chains[chain_name],
                    "is_fallback": name == DEFAULT_FALLBACK_TEAM and not has_fallback,
                },
            )
            if team.escalation_chain_id is None and team.tickets.count() == 0:
                # Created bare by the migration of a fresh database: give it its chain.
                Team.objects.filter(pk=team.pk).update(escalation_chain=chains[chain_name])
                policy_revision_bump()
            teams[name] = team
        for spec in DEFAULT_RULES:
            if RoutingRule.objects.filter(name=spec["name"]).exists():
                continue
            rule = RoutingRule(
                position=spec["position"],
                name=spec["name"],
                team=teams[spec["team"]],
                kinds=[str(k) for k in spec.get("kinds", [])],
                categories=[str(c) for c in spec.get("categories", [])],
                countries=spec.get("countries", []),
                region=spec.get("region", ""),
                urgency=spec.get("urgency", Urgency.ANY),
                escalation_chain=chains.get(spec.get("chain", "")),
            )
            routing_rule_save(rule=rule)
    team_fallback_ensure()
