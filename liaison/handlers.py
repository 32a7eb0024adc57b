"""Outbox handlers of the liaison app (the status e-mail to the requesting organization)."""

from __future__ import annotations

from liaison import notifications
from portal.models import OutboxEvent
from portal.outbox import subscribe


@subscribe(notifications.TOPIC_EMAIL_NOTICE)
def send_status_email(event: OutboxEvent) -> None:
    """Send the e-mail of one status change (the outbox delivers each event once)."""
    notifications.email_notice_send(
        legal_request_id=event.payload["legal_request_id"], to_status=event.payload["to"]
    )
