"""Notices to authorities: signed webhooks with bounded retries, e-mail, after commit only."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core import mail
from django.db import transaction

from core.actors import Actor
from core.outbox.models import DeadLetter, OutboxEvent
from core.outbox.services import outbox_deliver
from liaison import review
from liaison.models import WebhookDelivery
from liaison.tasks import deliver_webhook_task
from tests.conftest import Member
from tests.liaison.conftest import route, submit, under_review

SECRET = "whsec-test-0123456789"


@dataclass
class Receiver:
    """A real HTTP server in a thread that records what it receives."""

    url: str
    status: int = 204
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append((dict(self.headers), body))
            self.send_response(state.status)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/liaison"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def subscribed(authority: Member, receiver: Receiver) -> Member:
    organization = authority.organization
    organization.webhook_url = receiver.url
    organization.webhook_secret = SECRET
    organization.contact_email = "desk@police.example"
    organization.save()
    return authority


def verify_signature(headers: dict[str, str], body: bytes) -> bool:
    parts = dict(item.split("=", 1) for item in headers["X-Liaison-Signature"].split(","))
    expected = hmac.new(
        SECRET.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


@pytest.mark.django_db
def test_each_status_change_gets_a_signed_webhook(
    subscribed: Member, receiver: Receiver, staff_one: Actor
) -> None:
    legal_request = under_review(subscribed, staff_one)
    deliveries = list(WebhookDelivery.objects.order_by("id"))
    assert len(deliveries) == 2  # ROUTED, UNDER_REVIEW
    for delivery in deliveries:
        deliver_webhook_task.apply(args=[delivery.pk])
    assert len(receiver.received) == 2
    headers, body = receiver.received[1]
    assert verify_signature(headers, body)
    assert not verify_signature(
        {**headers, "X-Liaison-Signature": headers["X-Liaison-Signature"].replace("v1=", "v1=0")},
        body,
    )
    payload = json.loads(body)
    assert payload["event"] == "legal_request.status_changed"
    assert payload["legal_request"]["status"] == "UNDER_REVIEW"
    assert payload["legal_request"]["previous_status"] == "ROUTED"
    assert payload["legal_request"]["reference"] == legal_request.reference
    assert "fraud_boss" not in body.decode()  # no case data in notices
    assert all(d.state == "DELIVERED" and d.attempts == 1 for d in WebhookDelivery.objects.all())
    # A delivered webhook is never sent again (duplicate task, re-drive).
    deliver_webhook_task.apply(args=[deliveries[0].pk])
    assert len(receiver.received) == 2


@pytest.mark.django_db
def test_retries_stop_and_the_delivery_is_dead_lettered(
    subscribed: Member, receiver: Receiver, settings: Any
) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    receiver.status = 500
    route(submit(subscribed))
    delivery = WebhookDelivery.objects.get()
    deliver_webhook_task.apply(args=[delivery.pk])  # eager: runs the retries at once
    delivery.refresh_from_db()
    assert len(receiver.received) == 3
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("DEAD", 3, 500)
    assert DeadLetter.objects.get(key=f"webhook:{delivery.pk}").attempts == 3
    deliver_webhook_task.apply(args=[delivery.pk])
    assert len(receiver.received) == 3  # a dead delivery stays dead


@pytest.mark.django_db
def test_unreachable_receiver_is_retried_then_dead(subscribed: Member, settings: Any) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    organization = subscribed.organization
    organization.webhook_url = "http://127.0.0.1:9/unreachable"
    organization.save()
    route(submit(subscribed))
    delivery = WebhookDelivery.objects.get()
    deliver_webhook_task.apply(args=[delivery.pk])
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("DEAD", 2)
    assert "Connection refused" in delivery.last_error or "Errno" in delivery.last_error


@pytest.mark.django_db
def test_redirects_are_not_followed(subscribed: Member, receiver: Receiver, settings: Any) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver.status = 302
    route(submit(subscribed))
    delivery = WebhookDelivery.objects.get()
    deliver_webhook_task.apply(args=[delivery.pk])
    delivery.refresh_from_db()
    assert (delivery.state, delivery.last_status_code) == ("DEAD", 302)


@pytest.mark.django_db
def test_status_email_is_sent_by_the_outbox_without_case_details(subscribed: Member) -> None:
    legal_request = route(submit(subscribed))
    event = OutboxEvent.objects.get(topic="legal_request.email_notice")
    assert mail.outbox == []  # nothing leaves inside the transaction
    assert outbox_deliver(event_id=event.pk)
    assert not outbox_deliver(event_id=event.pk)  # once only
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["desk@police.example"]
    assert legal_request.reference in message.subject
    assert "ROUTED" in message.subject
    assert "fraud_boss" not in message.body


@pytest.mark.django_db(transaction=True)
def test_nothing_is_recorded_or_sent_when_the_change_rolls_back(
    subscribed: Member, receiver: Receiver, staff_one: Actor
) -> None:
    legal_request = route(submit(subscribed))
    before = (WebhookDelivery.objects.count(), OutboxEvent.objects.count())

    def start_review_then_fail() -> None:
        with transaction.atomic():
            review.legal_request_start_review(actor=staff_one, legal_request=legal_request)
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        start_review_then_fail()
    assert (WebhookDelivery.objects.count(), OutboxEvent.objects.count()) == before
