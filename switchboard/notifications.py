"""Staff notifications: who is told what about a ticket, recorded with the decision and sent
after commit (e-mail, then a live push to the team's staff pages).

The `Notification` row is the record (to whom, what, when sent, how many attempts). Sending is
batched: the commit that recorded notifications asks for one flush of their queue (`urgent`
for urgent tickets), and a flush already queued and not started yet takes them too, so a burst
of routings costs a few flush tasks, not one task per ticket (`notifications_flush_request`,
`notifications_flush`). The flush also runs the pre-flight of the requests just routed. A send
that fails is handed to the outbox (topic `switchboard.staff_notification`), which retries it
with backoff, dead-letters it and lets staff revive it; a flush that never ran (Redis down, a
worker lost) is made up for by the sweep (`notifications_flush(stale=True)`).
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import rawsql
from core.broadcast import group_send
from core.outbox.services import DeliveryFailed, outbox_emit
from core.redis import get_redis
from liaison import preflight
from liaison.models import LegalRequest
from switchboard.models import Notification, Ticket
from switchboard.topics import STAFF_NOTIFICATION

logger = logging.getLogger(__name__)


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
    """Record a notification in the current transaction and ask for a flush after commit (it
    is sent then); None if this ticket already has one of this kind and step (a ticket created in
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
    if new_ticket:  # the routing's hot path: the same INSERT, built once (core.rawsql)
        notification = rawsql.insert(Notification(**fields))
    else:
        try:
            with transaction.atomic():
                notification = Notification.objects.create(**fields)
        except IntegrityError:
            return None
    urgent = ticket.urgent
    transaction.on_commit(lambda: notifications_flush_request(urgent=urgent))
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


FLUSH_KEY = "switchboard:notifications-flush:{queue}"
# How long a flush request counts as on its way: a flush lost with its message (the key set,
# the task gone) delays the next request this long at most (and the sweep sends its part).
FLUSH_KEY_SECONDS = 5
FLUSH_BATCH = 200
# Batches one flush sends at most before it hands the rest to a new flush task.
FLUSH_MAX_BATCHES = 5
# The sweep sends the notifications no flush took within this long.
FLUSH_STALE_AFTER = timedelta(seconds=10)


def _flush_queue(urgent: bool) -> str:
    return "urgent" if urgent else "default"


def notifications_flush_request(*, urgent: bool) -> None:
    """Make sure a flush of the notifications of one queue is on its way (after the commit that
    recorded them). A flush queued and not started yet takes them: at most one task is queued
    per queue at a time (a Redis key, set if absent; the flush clears it when it starts).

    Best effort: with Redis down, the sweep sends them (`notifications_flush(stale=True)`).
    """
    from switchboard.tasks import flush_notifications_task

    queue = _flush_queue(urgent)
    key = FLUSH_KEY.format(queue=queue)
    try:
        if not get_redis().set(key, 1, nx=True, ex=FLUSH_KEY_SECONDS):
            return  # a flush is queued already
        flush_notifications_task.apply_async(
            args=[urgent], queue=queue, retry=True, retry_policy={"max_retries": 0}
        )
    except Exception as error:  # the broker is unreachable: the sweep sends them
        logger.warning("switchboard: could not ask for a notification flush (%r)", error)
        with contextlib.suppress(Exception):
            get_redis().delete(key)


def notifications_flush(*, urgent: bool | None = None, stale: bool = False) -> int:
    """Send the recorded notifications no one sent yet (of urgent tickets, of the others, or
    all when `urgent` is None; with `stale`, only those older than FLUSH_STALE_AFTER: the
    sweep's share). Returns how many were tried.

    Batches of up to FLUSH_BATCH, each one transaction holding its rows locked (`SKIP LOCKED`:
    two flushes never take the same notification). For the requests just routed, it first runs
    their targets' pre-flight (liaison). Each notification is tried once here (attempts 1); one
    that fails is handed to the outbox's retries (topic `switchboard.staff_notification`).
    """
    if not stale and urgent is not None:
        with contextlib.suppress(Exception):  # commits from now on ask for a new flush
            get_redis().delete(FLUSH_KEY.format(queue=_flush_queue(urgent)))
    tried = 0
    for _ in range(FLUSH_MAX_BATCHES):
        batch = _flush_batch(urgent=urgent, stale=stale)
        tried += batch
        if batch < FLUSH_BATCH:
            return tried
    if urgent is not None and not stale:
        notifications_flush_request(urgent=urgent)  # more left: another task goes on
    return tried


def _flush_batch(*, urgent: bool | None, stale: bool) -> int:
    now = timezone.now()
    with transaction.atomic():
        pending = (
            Notification.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("ticket__legal_request")
            .filter(sent_at__isnull=True, gave_up_at__isnull=True, attempts=0)
        )
        if urgent is not None:
            pending = pending.filter(ticket__urgent=urgent)
        if stale:
            pending = pending.filter(created_at__lte=now - FLUSH_STALE_AFTER)
        batch = list(pending.order_by("id")[:FLUSH_BATCH])
        if not batch:
            return 0
        preflight.targets_preflight_many(
            legal_requests=[
                n.ticket.legal_request for n in batch if n.kind == Notification.Kind.ROUTED
            ],
            now=now,
        )
        failed = []
        for notification in batch:
            notification.attempts = 1
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
                failed.append(notification)
            else:
                notification.sent_at = timezone.now()
        Notification.objects.bulk_update(batch, ["attempts", "sent_at", "last_error"])
        for notification in failed:  # the outbox retries it, with the topic's backoff
            outbox_emit(
                topic=STAFF_NOTIFICATION,
                payload={"notification_id": notification.pk, "urgent": notification.ticket.urgent},
            )
        for notification in batch:
            if notification.sent_at is not None:
                _push_to_staff(notification)
    return len(batch)


def notification_send(*, notification_id: int) -> bool:
    """Send one notification: e-mail, then live push (the outbox handler of
    `switchboard.staff_notification`, which retries what a flush failed to send; inside the
    delivery's transaction, which holds the event's lock: never sent twice at the same time).
    Returns False if it was sent already.

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
