"""Staff notifications: who is told what about a ticket, recorded with the decision and sent
after commit (e-mail, then a live push to the team's staff pages).

The `Notification` row is the record (to whom, what, when sent, how many attempts); the outbox
(topic `switchboard.staff_notification`) enqueues, retries, dead-letters, revives and re-drives
its sending.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.broadcast import group_send
from core.outbox.services import DeliveryFailed, outbox_emit
from liaison.models import LegalRequest
from switchboard.models import Notification, Ticket
from switchboard.topics import STAFF_NOTIFICATION


def _now(now: datetime | None) -> datetime:
    return now if now is not None else timezone.now()


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
    """Record a notification and its outbox event in the current transaction (it is sent after
    commit); None if this ticket already has one of this kind and step (a ticket created in
    this very transaction cannot, so it skips the savepoint)."""
    fields = {
        "ticket": ticket,
        "kind": kind,
        "step": step,
        "recipients": recipients,
        "subject": subject,
        "body": body,
        "created_at": now,
    }
    if new_ticket:
        notification = Notification.objects.create(**fields)
    else:
        try:
            with transaction.atomic():
                notification = Notification.objects.create(**fields)
        except IntegrityError:
            return None
    outbox_emit(
        topic=STAFF_NOTIFICATION,
        payload={"notification_id": notification.pk, "urgent": ticket.urgent},
    )
    return notification


def _body(ticket: Ticket) -> str:
    return f"{_describe(ticket.legal_request)}\nDue: {ticket.due_at:%Y-%m-%d %H:%M} UTC\n"


def _describe(legal_request: LegalRequest) -> str:
    return (
        f"{legal_request.get_kind_display()} · {legal_request.get_category_display()} · "
        f"{legal_request.jurisdiction} · ref. {legal_request.reference}"
    )


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


def notification_send(*, notification_id: int) -> bool:
    """Send one notification: e-mail, then live push (the outbox handler of
    `switchboard.staff_notification`, inside the delivery's transaction, which holds the
    event's lock: never sent twice at the same time). Returns False if it was sent already.

    A failed send is counted on the row and raised as `DeliveryFailed`: the outbox retries it
    with the topic's backoff and, in the end, dead-letters it.
    """
    notification = (
        Notification.objects.select_for_update(of=("self",))
        .select_related("ticket")
        .filter(pk=notification_id, sent_at__isnull=True, gave_up_at__isnull=True)
        .first()
    )
    if notification is None:
        return False
    notification.attempts += 1
    try:
        if notification.recipients:
            send_mail(
                notification.subject,
                notification.body,
                settings.DEFAULT_FROM_EMAIL,
                notification.recipients,
            )
    except Exception as error:
        notification.last_error = repr(error)[:2000]
        notification.save(update_fields=["attempts", "last_error"])
        raise DeliveryFailed(f"notification {notification_id}: {error!r}") from error
    notification.sent_at = timezone.now()
    notification.last_error = ""
    notification.save(update_fields=["attempts", "sent_at", "last_error"])
    _push_to_staff(notification)
    return True


def notification_gave_up(*, notification_id: int) -> None:
    """Show a notification whose attempts ran out as given up (its event is a dead letter)."""
    Notification.objects.filter(
        pk=notification_id, sent_at__isnull=True, gave_up_at__isnull=True
    ).update(gave_up_at=timezone.now())


def notification_revived(*, notification_id: int) -> None:
    """Show a revived notification as pending again (staff revived its dead letter)."""
    Notification.objects.filter(pk=notification_id, sent_at__isnull=True).update(gave_up_at=None)
