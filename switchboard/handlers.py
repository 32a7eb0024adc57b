"""Outbox handlers of the switchboard: route `legal_request.submitted`, follow status changes."""

from __future__ import annotations

from core.outbox import services as outbox
from core.outbox.models import OutboxEvent
from liaison.lifecycle import TOPIC_STATUS_CHANGED
from liaison.submission import TOPIC_SUBMITTED
from switchboard import selectors, tickets


@outbox.subscribe(TOPIC_SUBMITTED, queue_for=selectors.routing_queue_for)
def route_submitted_request(event: OutboxEvent) -> None:
    """Open the request's ticket (idempotent; runs inside the delivery's transaction)."""
    tickets.ticket_open_for_request(legal_request_id=event.payload["legal_request_id"])


def _follows_the_ticket(payload: dict) -> bool:
    return bool(payload.get("paused") or payload.get("resumed")) or (
        payload.get("to") in tickets.REQUEST_CLOSED
    )


@outbox.subscribe(TOPIC_STATUS_CHANGED, wants=_follows_the_ticket)
def follow_request_status(event: OutboxEvent) -> None:
    """Pause, resume or resolve the request's ticket as the legal review moves it."""
    payload = event.payload
    tickets.ticket_follow_request_status(
        legal_request_id=payload["legal_request_id"],
        to_status=payload["to"],
        paused=bool(payload.get("paused")),
        resumed=bool(payload.get("resumed")),
        due_at=payload.get("due_at"),
    )
