"""Outbox handlers of the switchboard: routing (`legal_request.submitted`), following the
request's status, and sending the staff notifications."""

from __future__ import annotations

import os
import time
from pathlib import Path

from core.outbox import services as outbox
from core.outbox.models import OutboxEvent
from liaison.lifecycle import TOPIC_STATUS_CHANGED
from liaison.submission import TOPIC_SUBMITTED
from switchboard import notifications, selectors, tickets
from switchboard.topics import STAFF_NOTIFICATION

# Test-only: with this variable set, routing pauses after writing the ticket (before the commit)
# until the test has SIGKILLed the process, so the kill lands mid-routing deterministically.
TEST_PAUSE_DIR_ENV = "SWITCHBOARD_TEST_PAUSE_DIR"
TEST_PAUSE_MAX_SECONDS = 30.0


@outbox.subscribe(TOPIC_SUBMITTED, queue_for=selectors.routing_queue_for)
def route_submitted_request(event: OutboxEvent) -> None:
    """Open the request's ticket (idempotent; runs inside the delivery's transaction)."""
    legal_request_id = event.payload["legal_request_id"]
    tickets.ticket_open_for_request(legal_request_id=legal_request_id)
    _test_pause(legal_request_id)


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


def _test_pause(legal_request_id: str) -> None:
    """Announce `<id>.pid` and wait for `<id>.done`: the test kills this process in between."""
    directory = os.environ.get(TEST_PAUSE_DIR_ENV)
    if not directory:
        return
    done = Path(directory, f"{legal_request_id}.done")
    if done.exists():
        return
    Path(directory, f"{legal_request_id}.pid").write_text(str(os.getpid()))
    deadline = time.monotonic() + TEST_PAUSE_MAX_SECONDS
    while not done.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
