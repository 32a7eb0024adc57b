"""Staff notifications: who is told what about a ticket, recorded with the decision and sent
after commit (e-mail, then a live push to the team's staff pages)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from core.broadcast import group_send
from core.outbox.services import dead_letter_record
from liaison.models import LegalRequest
from switchboard.models import (
    Notification,
    Ticket,
)

logger = logging.getLogger(__name__)


def _now(now: datetime | None) -> datetime:
    return now if now is not None else timezone.now()


logger = logging.getLogger(__name__)

NOTIFICATION_UNSENT_AFTER = timedelta(seconds=10)
NOTIFICATION_LOST_AFTER = timedelta(minutes=5)
NOTIFICATION_CLAIM_LEASE = timedelta(minutes=5)
NOTIFICATION_MAX_ATTEMPTS = 6


def staff_group_name(team_id: int) -> str:
    """The channels group of a team's staff pages."""
    return f"staff.team.{team_id}"


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
