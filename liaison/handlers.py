"""Outbox handlers of the liaison app (the status e-mail to the requesting organization)."""

from __future__ import annotations

from core.outbox.models import OutboxEvent
from core.outbox.services import subscribe
from liaison import notifications


@subscribe(notifications.TOPIC_EMAIL_NOTICE)
def send_status_email(event: OutboxEvent) -> None:
    """Send the e-mail of one status change (the outbox delivers each event once)."""
    notifications.email_notice_send(
        legal_request_id=event.payload["legal_request_id"], to_status=event.payload["to"]
    )
