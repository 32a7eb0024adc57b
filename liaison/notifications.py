"""Telling authorities about their requests: subscription broadcast, signed webhook, e-mail.

`status_change_notify` runs inside the transaction of the status change: it records a
`WebhookDelivery` row and an outbox event for the e-mail, and registers the subscription
broadcast to run after commit. Nothing leaves before the change is committed, and a delivery
that could not be enqueued (broker down) is picked up again by the re-drive task.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from strawberry.relay import to_base64

from core.broadcast import group_send
from core.outbox.services import dead_letter_record, outbox_emit
from liaison.models import LegalRequest, Organization, WebhookDelivery

logger = logging.getLogger(__name__)

EVENT_STATUS_CHANGED = "legal_request.status_changed"
TOPIC_EMAIL_NOTICE = "legal_request.email_notice"
SUBSCRIPTION_MESSAGE_TYPE = "legal_request.update"
SIGNATURE_HEADER = "X-Liaison-Signature"


def organization_group(organization_id: int) -> str:
    """The channels group that carries one organization's request updates."""
    return f"org.{organization_id}.requests"


def status_change_notify(
    *, legal_request: LegalRequest, from_status: str, reason: str, at: datetime
) -> None:
    """Record the notices of a status change (call inside its transaction)."""
    organization = legal_request.organization
    if organization.webhook_url and organization.webhook_secret:
        body = json.dumps(
            {
                "event": EVENT_STATUS_CHANGED,
                "occurred_at": at.isoformat(),
                "legal_request": {
                    "id": to_base64("LegalRequest", str(legal_request.pk)),
                    "reference": legal_request.reference,
                    "previous_status": from_status,
                    "status": legal_request.status,
                },
            },
            sort_keys=True,
            separators=(",", ":"),
        )
        delivery = WebhookDelivery.objects.create(
            organization=organization,
            legal_request=legal_request,
            event=EVENT_STATUS_CHANGED,
            url=organization.webhook_url,
            body=body,
        )
        transaction.on_commit(lambda: webhook_delivery_enqueue(delivery_id=delivery.pk))
    if organization.contact_email:
        outbox_emit(
            topic=TOPIC_EMAIL_NOTICE,
            payload={
                "legal_request_id": str(legal_request.pk),
                "from": from_status,
                "to": legal_request.status,
            },
        )
    organization_id, request_id = organization.pk, str(legal_request.pk)
    transaction.on_commit(
        lambda: broadcast_request_update(
            organization_id=organization_id, legal_request_id=request_id
        )
    )


def broadcast_request_update(*, organization_id: int, legal_request_id: str) -> None:
    """Tell the organization's live subscriptions that a request changed (after commit).

    Best effort: a subscriber that misses it (Redis down) still sees the change by webhook,
    e-mail, or by reading the request.
    """
    group_send(
        organization_group(organization_id),
        {"type": SUBSCRIPTION_MESSAGE_TYPE, "legal_request_id": legal_request_id},
    )


# E-mail --------------------------------------------------------------------------------------


def email_notice_send(*, legal_request_id: str, to_status: str) -> None:
    """Send the status e-mail to the organization's contact address (outbox handler).

    The e-mail carries no case details (e-mail is not a secure channel): reference and status
    only; the rest is read through the API.
    """
    legal_request = (
        LegalRequest.objects.select_related("organization").filter(pk=legal_request_id).first()
    )
    if legal_request is None or not legal_request.organization.contact_email:
        return
    send_mail(
        subject=f"[Liaison Portal] {legal_request.reference}: {to_status}",
        message=(
            f"Your request {legal_request.reference} is now {to_status}.\n\n"
            "Read the details, any question from our staff, and any produced data through the "
            "Liaison Portal API (legalRequest / disclosurePackage).\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[legal_request.organization.contact_email],
    )


# Webhooks ------------------------------------------------------------------------------------


def webhook_signature(*, secret: str, timestamp: int, body: str) -> str:
    """The X-Liaison-Signature value: `t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.

    Receivers recompute the HMAC with their secret, compare in constant time, and refuse a
    timestamp older than a few minutes (replay).
    """
    mac = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A webhook is delivered to the registered URL only, never where a redirect points."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _post(url: str, body: str, headers: dict[str, str]) -> int:
    if urlsplit(url).scheme not in ("http", "https"):
        raise ValueError("webhook URLs are http(s)")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url, data=body.encode(), headers=headers, method="POST"
    )
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


@dataclass(frozen=True)
class WebhookOutcome:
    """What one attempt did: the delivery's state afterwards, and whether to try again."""

    state: str
    attempts: int
    retry: bool


def webhook_delivery_attempt(*, delivery_id: int) -> WebhookOutcome:
    """Try to deliver one webhook once. The row stays locked while it is sent, so a duplicate
    task or the re-drive never sends it twice at the same time; a delivered or dead delivery is
    not sent again. After `WEBHOOK_MAX_ATTEMPTS` failures it is dead-lettered."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("organization")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.state != WebhookDelivery.State.PENDING:
            return WebhookOutcome(
                state=delivery.state if delivery else "MISSING",
                attempts=delivery.attempts if delivery else 0,
                retry=False,
            )
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "LiaisonPortal-Webhook/1",
            "X-Liaison-Event": delivery.event,
            "X-Liaison-Delivery": str(delivery.pk),
            SIGNATURE_HEADER: webhook_signature(
                secret=delivery.organization.webhook_secret, timestamp=timestamp, body=delivery.body
            ),
        }
        status: int | None = None
        error = ""
        try:
            status = _post(delivery.url, delivery.body, headers)
        except Exception as exc:  # connection refused, timeout, TLS …: all retried
            error = repr(exc)
        now = timezone.now()
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.last_status_code = status
        delivery.last_error = error or ("" if status and 200 <= status < 300 else f"HTTP {status}")
        retry = False
        if status is not None and 200 <= status < 300:
            delivery.state = WebhookDelivery.State.DELIVERED
            delivery.delivered_at = now
        elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            delivery.state = WebhookDelivery.State.DEAD
            delivery.dead_lettered_at = now
            dead_letter_record(
                key=f"webhook:{delivery.pk}",
                task_name="liaison.tasks.deliver_webhook_task",
                args=[delivery.pk],
                queue="default",
                error=delivery.last_error,
                attempts=delivery.attempts,
            )
        else:
            retry = True
        delivery.save()
    return WebhookOutcome(state=delivery.state, attempts=delivery.attempts, retry=retry)


def webhook_delivery_enqueue(*, delivery_id: int) -> bool:
    """Hand a delivery to Celery (queue `default`); False if the broker is unreachable."""
    from liaison.tasks import deliver_webhook_task

    try:
        deliver_webhook_task.apply_async(
            args=[delivery_id], queue="default", retry=True, retry_policy={"max_retries": 0}
        )
    except Exception:
        logger.warning("webhook: could not enqueue delivery %s; the re-drive will", delivery_id)
        return False
    WebhookDelivery.objects.filter(pk=delivery_id).update(enqueued_at=timezone.now())
    return True


def webhook_redrive(
    *,
    unsent_after: timedelta = timedelta(seconds=30),
    lost_after: timedelta = timedelta(minutes=15),
) -> int:
    """Enqueue again pending deliveries never enqueued (broker down) or enqueued long ago
    (message lost). Retries in flight wait with their backoff well under `lost_after`."""
    now = timezone.now()
    pending = WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING)
    stale = list(
        (
            pending.filter(enqueued_at__isnull=True, created_at__lte=now - unsent_after)
            | pending.filter(enqueued_at__lte=now - lost_after)
        ).values_list("pk", flat=True)[:500]
    )
    count = 0
    for delivery_id in stale:
        if not webhook_delivery_enqueue(delivery_id=delivery_id):
            break
        count += 1
    return count


def organization_webhook_secret_rotate(*, organization: Organization) -> str:
    """Give an organization a new random webhook secret (shown to staff to pass on)."""
    import secrets

    organization.webhook_secret = secrets.token_urlsafe(32)
    organization.save(update_fields=["webhook_secret"])
    return organization.webhook_secret
