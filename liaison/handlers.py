"""Outbox handlers of the liaison app: the status e-mail and the webhooks to the organization."""

from __future__ import annotations

from core.outbox.models import OutboxEvent
from core.outbox.topics import subscribe
from liaison import notifications, topics


@subscribe(topics.EMAIL_NOTICE)
def send_status_email(event: OutboxEvent) -> None:
    """Send the e-mail of one status change (the outbox delivers each event once)."""
    notifications.email_notice_send(
        legal_request_id=event.payload["legal_request_id"],
        to_status=event.payload["to"],
        notice=event.payload.get("notice", ""),
    )


def _webhook_dead(event: OutboxEvent) -> None:
    notifications.webhook_delivery_dead_lettered(delivery_id=event.payload["delivery_id"])


def _webhook_revived(event: OutboxEvent) -> None:
    notifications.webhook_delivery_revived(delivery_id=event.payload["delivery_id"])


@subscribe(topics.WEBHOOK_DELIVERY, on_dead_letter=_webhook_dead, on_revive=_webhook_revived)
def deliver_webhook(event: OutboxEvent) -> None:
    """POST one signed webhook (a failed answer is recorded on the delivery, then retried)."""
    notifications.webhook_delivery_attempt(delivery_id=event.payload["delivery_id"])
