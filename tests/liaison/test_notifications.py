"""Notices to authorities: signed webhooks delivered through the outbox (bounded retries, dead
letters revived from admin), e-mail, after commit only. The receiver is a real HTTP server."""

from __future__ import annotations

import hashlib
import hmac
import importlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.apps import apps
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import reverse

from core.actors import Actor
from core.outbox.models import DeadLetter, OutboxEvent
from core.outbox.services import outbox_deliver
from core.outbox.tasks import deliver_outbox_event_task
from liaison import review
from liaison.models import WebhookDelivery
from liaison.topics import WEBHOOK_DELIVERY
from portal.celery import app
from tests.conftest import Member
from tests.factories import SuperuserFactory
from tests.liaison.conftest import route, submit, under_review
from tests.signin import sign_in_staff

SECRET = "whsec-test-0123456789"
ATTEMPTS = WEBHOOK_DELIVERY.retry.max_attempts


@dataclass
class Receiver:
    """A real HTTP server in a thread that records what it receives."""

    url: str
    status: int = 204
    first_answers: list[int] = field(default_factory=list)  # answered before `status`
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append((dict(self.headers), body))
            self.send_response(state.first_answers.pop(0) if state.first_answers else state.status)
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


@pytest.fixture(autouse=True)
def _local_receivers_allowed(settings: Any) -> None:
    """The receivers here are plain-http servers on 127.0.0.1, which the egress policy refuses
    unless allowed (tests/security/test_webhook_targets.py tests the refusals)."""
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_ALLOW_HTTP = True


@pytest.fixture
def subscribed(authority: Member, receiver: Receiver) -> Member:
    organization = authority.organization
    organization.webhook_url = receiver.url
    organization.webhook_secret = SECRET
    organization.contact_email = "desk@police.example"
    organization.save()
    return authority


@pytest.fixture
def eager_celery() -> Iterator[None]:
    """Enqueued tasks run in-process, retries included (nothing reaches the shared Redis)."""
    previous = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, False
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


def deliver(delivery: WebhookDelivery) -> OutboxEvent:
    """Run the outbox task of a delivery's event (eagerly: its retries run at once)."""
    event = OutboxEvent.objects.get(topic=WEBHOOK_DELIVERY.name, payload__delivery_id=delivery.pk)
    deliver_outbox_event_task.apply(args=[event.pk])
    event.refresh_from_db()
    delivery.refresh_from_db()
    return event


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
        assert deliver(delivery).delivered_at is not None
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
    deliver(deliveries[0])
    assert len(receiver.received) == 2


@pytest.mark.django_db
def test_retries_stop_then_staff_revive_the_dead_letter_from_admin(
    subscribed: Member,
    receiver: Receiver,
    eager_celery: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    receiver.status = 500
    route(submit(subscribed))
    delivery = WebhookDelivery.objects.get()
    event = deliver(delivery)  # eager: the topic's retries run at once
    assert len(receiver.received) == ATTEMPTS
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("DEAD", ATTEMPTS, 500)
    assert delivery.dead_lettered_at is not None
    assert delivery.last_error == "HTTP 500"
    assert (event.attempts, event.delivered_at) == (ATTEMPTS, None)
    letter = DeadLetter.objects.get(outbox_event=event)
    assert letter.key == f"outbox:{event.pk}"
    deliver(delivery)
    assert len(receiver.received) == ATTEMPTS  # a dead delivery stays dead

    # The receiver is fixed; staff revive the letter in admin: delivered once, after commit.
    receiver.status = 204
    # Dead letters are a superuser's; admin takes the second factor too.
    client = sign_in_staff(Client(), SuperuserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:core_deadletter_changelist"),
            {"action": "revive", "_selected_action": [str(letter.pk)]},
            follow=True,
        )
    assert "Revived 1 dead letter(s)." in response.content.decode()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.dead_lettered_at) == (
        "DELIVERED",
        ATTEMPTS + 1,
        None,
    )
    assert len(receiver.received) == ATTEMPTS + 1
    _, body = receiver.received[-1]
    assert body.decode() == delivery.body  # the same signed notice, not a new one
    deliver(delivery)
    assert len(receiver.received) == ATTEMPTS + 1  # and never sent twice


@pytest.mark.django_db
def test_a_failed_attempt_is_recorded_then_retried(subscribed: Member, receiver: Receiver) -> None:
    receiver.first_answers = [503]
    route(submit(subscribed))
    delivery = WebhookDelivery.objects.get()
    event = deliver(delivery)
    assert len(receiver.received) == 2
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("DELIVERED", 2, 204)
    assert event.attempts == 2
    assert f"webhook {delivery.pk}: HTTP 503" in event.last_error
    assert not DeadLetter.objects.exists()


@pytest.mark.django_db
def test_unreachable_receiver_is_retried_then_dead(subscribed: Member) -> None:
    organization = subscribed.organization
    organization.webhook_url = "http://127.0.0.1:9/unreachable"
    organization.save()
    route(submit(subscribed))
    delivery = WebhookDelivery.objects.get()
    deliver(delivery)
    assert (delivery.state, delivery.attempts) == ("DEAD", ATTEMPTS)
    assert delivery.last_status_code is None
    assert delivery.last_error == "no response"  # never the socket's error (port state)


@pytest.mark.django_db
def test_redirects_are_not_followed(subscribed: Member, receiver: Receiver) -> None:
    receiver.status = 302
    route(submit(subscribed))
    delivery = WebhookDelivery.objects.get()
    deliver(delivery)
    assert (delivery.state, delivery.last_status_code) == ("DEAD", 302)
    assert {headers["Host"] for headers, _ in receiver.received} == {
        receiver.url.split("/")[2]
    }  # only ever the registered URL


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


@pytest.mark.django_db
def test_the_migration_moves_pending_and_dead_webhooks_into_the_outbox(
    subscribed: Member, receiver: Receiver, staff_one: Actor
) -> None:
    under_review(subscribed, staff_one)
    route(submit(subscribed, reference="AZ-2"))
    pending, dead, delivered = WebhookDelivery.objects.order_by("id")
    OutboxEvent.objects.filter(topic=WEBHOOK_DELIVERY.name).delete()  # as before the change
    WebhookDelivery.objects.filter(pk=dead.pk).update(
        state="DEAD", attempts=6, last_error="HTTP 500"
    )
    WebhookDelivery.objects.filter(pk=delivered.pk).update(state="DELIVERED")
    old_letter = DeadLetter.objects.create(
        key=f"webhook:{dead.pk}", task_name="liaison.tasks.deliver_webhook_task",
        args=[dead.pk], queue="default", error="HTTP 500", attempts=6,
    )  # fmt: skip
    migration = importlib.import_module("liaison.migrations.0006_webhooks_through_outbox")
    migration.webhooks_to_outbox(apps, None)

    events = {
        e.payload["delivery_id"]: e for e in OutboxEvent.objects.filter(topic=WEBHOOK_DELIVERY.name)
    }
    assert set(events) == {pending.pk, dead.pk}
    assert (events[pending.pk].enqueued_at, events[pending.pk].dead_lettered_at) == (None, None)
    assert events[dead.pk].dead_lettered_at is not None
    old_letter.refresh_from_db()
    assert old_letter.outbox_event == events[dead.pk]
    # The pending one is delivered by the outbox like any other.
    deliver(pending)
    assert pending.state == "DELIVERED"
