"""The outbox topics of the switchboard, declared in one place: the staff notifications."""

from __future__ import annotations

from core.outbox.topics import RetryPolicy, topic_declare


def _ticket_queue(payload: dict) -> str:
    """An urgent ticket's notifications go on `urgent`; a backlog of default work never delays
    them (their retries go on `retry`, like every topic's)."""
    return "urgent" if payload.get("urgent") else "default"


# One `Notification` to send (e-mail, then a live push to the team's staff pages).
STAFF_NOTIFICATION = topic_declare(
    name="switchboard.staff_notification",
    queue=_ticket_queue,
    retry=RetryPolicy(max_attempts=6, backoff_seconds=1.0, backoff_max_seconds=30.0),
)
