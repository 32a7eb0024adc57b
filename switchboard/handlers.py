"""Outbox handlers of the switchboard: routing (`legal_request.submitted`), following the
request's status, and sending the staff notifications."""

from __future__ import annotations

from core.outbox import services as outbox
from core.outbox.models import OutboxEvent
from liaison.lifecycle import TOPIC_STATUS_CHANGED
from liaison.submission import TOPIC_SUBMITTED
from switchboard import notifications, selectors, tickets
from switchboard.topics import STAFF_NOTIFICATION


@outbox.subscribe(TOPIC_SUBMITTED, queue_for=selectors.routing_queue_for)
def route_submitted_request(event: OutboxEvent) -> None:
    """Open the request's ticket (idempotent; runs inside the delivery's transaction)."""
    tickets.ticket_open_for_request(legal_request_id=event.payload["legal_request_id"])


def _follows_the_ticket(payload: dict) -> bool:
    return (
        bool(payload.get("paused") or payload.get("resumed"))
        or payload.get("to") in tickets.REQUEST_CLOSED
        or tickets.starts_review(payload)
    )


@outbox.subscribe(TOPIC_STATUS_CHANGED, wants=_follows_the_ticket)
def follow_request_status(event: OutboxEvent) -> None:
    """Acknowledge (review started), pause, resume or resolve the request's ticket as the legal
    review moves it."""
    payload = event.payload
    if tickets.starts_review(payload):
        tickets.ticket_follow_review_start(
            legal_request_id=payload["legal_request_id"],
            reviewer_id=payload.get("staff_user_id"),
            at=payload.get("at"),
        )
        return
    tickets.ticket_follow_request_status(
        legal_request_id=payload["legal_request_id"],
        to_status=payload["to"],
        paused=bool(payload.get("paused")),
        resumed=bool(payload.get("resumed")),
        due_at=payload.get("due_at"),
        at=payload.get("at"),
        paused_seconds=payload.get("paused_seconds"),
    )


def _notification_gave_up(event: OutboxEvent) -> None:
    notifications.notification_gave_up(notification_id=event.payload["notification_id"])


def _notification_revived(event: OutboxEvent) -> None:
    notifications.notification_revived(notification_id=event.payload["notification_id"])


@outbox.subscribe(
    STAFF_NOTIFICATION, on_dead_letter=_notification_gave_up, on_revive=_notification_revived
)
def send_staff_notification(event: OutboxEvent) -> None:
    """E-mail one notification and push it to the team's pages (once; failures are retried)."""
    notifications.notification_send(notification_id=event.payload["notification_id"])
