"""The periodic sweep: escalations, deadline warnings and breaches (each exactly once), and the
notifications no flush sent. (The re-drive of deliveries is the outbox's own beat entry.)"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q

from liaison.models import TimelineEntry
from switchboard.models import (
    Notification,
    Ticket,
)
from switchboard.notifications import _now, _recipients, notifications_flush
from switchboard.tickets import SWITCHBOARD_ACTOR, _escalate_locked, _record_and_notify

logger = logging.getLogger(__name__)


@dataclass
class SweepReport:
    """What one sweep did."""

    escalated: int = 0
    warned: int = 0
    breached: int = 0
    flushed: int = 0  # notifications no flush had taken (Redis down, a flush task lost)


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


def switchboard_sweep(*, now: datetime | None = None, limit: int = 500) -> SweepReport:
    """The periodic sweep: escalate, record breaches (exactly once), warn (once), and send the
    notifications that no flush took. Safe to run concurrently."""
    now = _now(now)
    report = SweepReport()
    report.escalated = _sweep_escalations(now, limit)
    report.breached = _sweep_breaches(now, limit)  # before warnings: no warning after a breach
    report.warned = _sweep_warnings(now, limit)
    report.flushed = notifications_flush(stale=True)
    return report
