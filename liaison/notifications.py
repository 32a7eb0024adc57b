"""Telling authorities about their requests: subscription broadcast, signed webhook, e-mail.

`status_change_notify` runs inside the transaction of the status change: it records a
`WebhookDelivery` row with its outbox event, an outbox event for the e-mail, and registers the
subscription broadcast to run after commit. Nothing leaves before the change is committed; the
outbox delivers, retries (topic `liaison.webhook_delivery`), dead-letters and re-drives them.
The `WebhookDelivery` row is the record of what was sent, where, and how each attempt went.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import time
from collections.abc import Mapping
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from strawberry.relay import to_base64

from core import egress
from core.actors import Actor
from core.broadcast import group_send
from core.outbox.services import DeliveryFailed, DeliveryRefused, outbox_emit
from liaison import topics
from liaison.audit import AuditAction, audit_record
from liaison.models import LegalRequest, Organization, WebhookDelivery

EVENT_STATUS_CHANGED = "legal_request.status_changed"
SUBSCRIPTION_MESSAGE_TYPE = "legal_request.update"
SIGNATURE_HEADER = "X-Liaison-Signature"

logger = logging.getLogger(__name__)


def organization_group(organization_id: int) -> str:
    """The channels group that carries one organization's request updates."""
    return f"org.{organization_id}.requests"


def status_change_notify(
    *, legal_request: LegalRequest, from_status: str, reason: str, at: datetime
) -> None:
    """Record the notices of a status change (call inside its transaction)."""
    _request_notice(
        legal_request=legal_request,
        event=EVENT_STATUS_CHANGED,
        webhook_fields={"occurred_at": at.isoformat()},
        request_fields={"previous_status": from_status},
        email={"from": from_status, "to": legal_request.status},
    )


def request_notice(*, legal_request: LegalRequest, event: str, message: str, at: datetime) -> None:
    """Record a notice about a request that is no status change (a preservation reminded,
    extended or ended), through the same channels as a status change: a signed webhook with
    `event`, an e-mail (reference and notice only), the live update to its subscriptions.
    Call inside the transaction of the change; nothing leaves before it commits."""
    _request_notice(
        legal_request=legal_request,
        event=event,
        webhook_fields={"occurred_at": at.isoformat(), "message": message},
        request_fields={},
        email={"to": legal_request.status, "notice": message},
    )


def _request_notice(
    *,
    legal_request: LegalRequest,
    event: str,
    webhook_fields: dict[str, str],
    request_fields: dict[str, str],
    email: dict[str, str],
) -> None:
    """The three channels of every notice about a request: the signed webhook (when set), the
    e-mail (when a contact address is set) and, after commit, the subscription broadcast."""
    organization = legal_request.organization
    if organization.webhook_url and organization.webhook_secret:
        body = {
            "event": event,
            **webhook_fields,
            "legal_request": {
                "id": to_base64("LegalRequest", str(legal_request.pk)),
                "reference": legal_request.reference,
                **request_fields,
                "status": legal_request.status,
            },
        }
        _webhook_enqueue(
            organization=organization, event=event, body=body, legal_request=legal_request
        )
    if organization.contact_email:
        outbox_emit(
            topic=topics.EMAIL_NOTICE,
            payload={"legal_request_id": str(legal_request.pk), **email},
        )
    organization_id, request_id = organization.pk, str(legal_request.pk)
    transaction.on_commit(
        lambda: broadcast_request_update(
            organization_id=organization_id, legal_request_id=request_id
        )
    )


def _webhook_enqueue(
    *,
    organization: Organization,
    event: str,
    body: Mapping[str, object],
    legal_request: LegalRequest | None = None,
) -> WebhookDelivery:
    """Record one webhook delivery (the canonical JSON body that is signed) and its outbox
    event, in the caller's transaction."""
    delivery = WebhookDelivery.objects.create(
        organization=organization,
        legal_request=legal_request,
        event=event,
        url=organization.webhook_url,
        body=json.dumps(body, sort_keys=True, separators=(",", ":")),
    )
    outbox_emit(topic=topics.WEBHOOK_DELIVERY, payload={"delivery_id": delivery.pk})
    return delivery


def broadcast_request_update(*, organization_id: int, legal_request_id: str) -> None:
    """Tell the organization's live subscriptions that a request changed (after commit).

    Best effort: a subscriber that misses it (Redis down) still sees the change by webhook,
    e-mail, or by reading the request.
    """
    group_send(
        organization_group(organization_id),
        {"type": SUBSCRIPTION_MESSAGE_TYPE, "legal_request_id": legal_request_id},
    )


EVENT_TEST = "webhook.test"


def webhook_test_send(*, organization: Organization, at: datetime | None = None) -> WebhookDelivery:
    """Queue a signed test event to the organization's webhook (the console's "send a test
    event"), delivered, retried and recorded like every notice. Raises a ValidationError when
    no webhook URL and secret are set."""
    if not (organization.webhook_url and organization.webhook_secret):
        raise ValidationError(
            {"webhook_url": ValidationError("Set a webhook URL first.", code="required")}
        )
    with transaction.atomic():
        return _webhook_enqueue(
            organization=organization,
            event=EVENT_TEST,
            body={"event": EVENT_TEST, "occurred_at": (at or timezone.now()).isoformat()},
        )


# E-mail --------------------------------------------------------------------------------------


def email_notice_send(*, legal_request_id: str, to_status: str, notice: str = "") -> None:
    """Send the status e-mail (or, with `notice`, that notice) to the organization's contact
    address (outbox handler).

    The e-mail carries no case details (e-mail is not a secure channel): reference and status
    (or a notice that names no target) only; the rest is read through the API.
    """
    legal_request = (
        LegalRequest.objects.select_related("organization").filter(pk=legal_request_id).first()
    )
    if legal_request is None or not legal_request.organization.contact_email:
        return
    if notice:
        send_mail(
            subject=f"[Liaison Portal] {legal_request.reference}: {notice[:120]}",
            message=f"{notice}\n\nRead the details through the Liaison Portal API "
            "(legalRequest).\n",
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[legal_request.organization.contact_email],
        )
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


# What an admin may see of a failed attempt: the HTTP status, a refusal by the egress policy,
# or this one neutral text for every failure to get an answer (refused connection, timeout, TLS,
# DNS), so that the recorded errors never tell which ports are open where.
NO_RESPONSE = "no response"


def _webhook_target(url: str) -> egress.EgressTarget:
    """Where a webhook may go now: the egress policy with the webhook settings, the host
    resolved once (raises `EgressRefused` / `EgressUnresolvable`)."""
    return egress.egress_target(
        url,
        allowed_hosts=settings.WEBHOOK_ALLOWED_HOSTS,
        allow_http=settings.WEBHOOK_ALLOW_HTTP,
    )


def _post(url: str, body: str, headers: dict[str, str]) -> int:
    """POST a webhook to its checked, pre-resolved address and return the HTTP status.

    Checked again at each send, not only when staff saved the URL: the name may resolve to an
    internal address by now (DNS rebinding); the connection goes to the address checked here.
    Redirects are not followed: a webhook goes to the registered URL only.
    """
    target = _webhook_target(url)
    return egress.egress_post(
        target, body=body.encode(), headers=headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS
    )


def webhook_delivery_attempt(*, delivery_id: int) -> bool:
    """Send one webhook once (the outbox handler of `liaison.webhook_delivery`, inside the
    delivery's transaction, which holds the event's lock: never sent twice at the same time).

    Returns True if it was delivered now, False if it was delivered or dead already. If the
    egress policy refuses its target now, it is dead at once ("refused: <reason>") and raised as
    `DeliveryRefused`: the outbox dead-letters the event without retrying it, and staff revive
    it from the dead letters once the URL (or the allow-list) is fixed. Any answer but 2xx (a
    redirect too), or none at all ("no response": refused connection, timeout, TLS, DNS, all
    alike), is recorded on the row and raised as
    `DeliveryFailed`, so that the outbox retries it with the topic's backoff and, in the end,
    dead-letters it.
    """
    delivery = (
        WebhookDelivery.objects.select_for_update(of=("self",))
        .select_related("organization")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or delivery.state != WebhookDelivery.State.PENDING:
        return False
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
    refusal: egress.EgressRefused | None = None
    try:
        status = _post(delivery.url, delivery.body, headers)
    except egress.EgressRefused as refused:
        refusal = refused
    except (OSError, http.client.HTTPException) as error:  # retried; the detail is for operators
        logger.warning("webhook %s: no response (%r)", delivery.pk, error)
    now = timezone.now()
    delivered = status is not None and 200 <= status < 300
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = status
    if delivered:
        delivery.last_error = ""
        delivery.state = WebhookDelivery.State.DELIVERED
        delivery.delivered_at = now
    elif refusal is not None:
        # Waiting will not make the target allowed: dead at once, not retried. Staff fix the
        # URL (or the allow-list); the next notice goes to the new one.
        delivery.last_error = str(refusal)
        delivery.state = WebhookDelivery.State.DEAD
        delivery.dead_lettered_at = now
    else:
        delivery.last_error = f"HTTP {status}" if status is not None else NO_RESPONSE
    delivery.save(
        update_fields=[
            "attempts", "last_attempt_at", "last_status_code", "last_error", "state",
            "delivered_at", "dead_lettered_at",
        ]
    )  # fmt: skip
    if refusal is not None:
        raise DeliveryRefused(f"webhook {delivery.pk}: {refusal}")
    if not delivered:
        raise DeliveryFailed(f"webhook {delivery.pk}: {delivery.last_error}")
    return True


def webhook_delivery_dead_lettered(*, delivery_id: int) -> None:
    """Show a delivery whose attempts ran out as dead (the outbox dead-lettered its event)."""
    WebhookDelivery.objects.filter(pk=delivery_id, state=WebhookDelivery.State.PENDING).update(
        state=WebhookDelivery.State.DEAD, dead_lettered_at=timezone.now()
    )


def webhook_delivery_revived(*, delivery_id: int) -> None:
    """Show a revived delivery as pending again (staff revived its dead letter)."""
    WebhookDelivery.objects.filter(pk=delivery_id, state=WebhookDelivery.State.DEAD).update(
        state=WebhookDelivery.State.PENDING, dead_lettered_at=None
    )


def organization_webhook_secret_rotate(
    *, organization: Organization, actor: Actor | None = None
) -> str:
    """Give an organization a new random webhook secret (shown to staff to pass on). The
    rotation is audited (never the secret)."""
    import secrets

    with transaction.atomic():
        organization.webhook_secret = secrets.token_urlsafe(32)
        organization.save(update_fields=["webhook_secret"])
        audit_record(
            actor=actor,
            action=AuditAction.ORGANIZATION_CHANGED,
            object_type="Organization",
            object_id=organization.pk,
            organization_id=organization.pk,
            details={"changes": {"webhook_secret": {"from": "(old)", "to": "(rotated)"}}},
        )
    return organization.webhook_secret
