"""Staff notifications are delivered through the outbox: recorded with the decision, sent on the
ticket's queue, retried with backoff through Celery, dead-lettered (the notification shows it
gave up), revived by staff from the dead-letter admin, and never sent twice.

(The outbox's own retry machinery is tested in tests/core/.)
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.apps import apps
from django.core import mail
from django.test import Client
from django.urls import reverse

from core.outbox.models import DeadLetter, OutboxEvent
from core.outbox.tasks import deliver_outbox_event_task
from portal.celery import app
from switchboard import notifications
from switchboard.models import Notification
from switchboard.topics import STAFF_NOTIFICATION
from tests.conftest import Member
from tests.factories import SuperuserFactory
from tests.signin import sign_in_staff
from tests.switchboard.conftest import submit_request, submitted_events


@pytest.fixture(autouse=True)
def _retries_run_eagerly(_celery_in_process: None) -> Iterator[None]:
    """An eager task that retries is applied again at once by Celery (a propagated `Retry`
    would end it instead)."""
    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = previous


@pytest.fixture
def staff_client(client: Client) -> Client:
    # Dead letters are a superuser's; admin takes the second factor too.
    return sign_in_staff(client, SuperuserFactory())


def route(member: Member, django_capture_on_commit_callbacks: Any, **kwargs: Any) -> OutboxEvent:
    """Route a submission; return the outbox event of its notification (not yet sent)."""
    legal_request = submit_request(member, **kwargs)
    event = submitted_events().get(payload__legal_request_id=str(legal_request.pk))
    with django_capture_on_commit_callbacks(execute=False):  # routed; nothing enqueued
        deliver_outbox_event_task.apply(args=[event.pk])
    return OutboxEvent.objects.get(
        topic=STAFF_NOTIFICATION.name,
        payload__notification_id=Notification.objects.get(ticket__legal_request=legal_request).pk,
    )


@pytest.mark.django_db
def test_an_urgent_tickets_notification_goes_on_urgent_and_others_on_default(
    policy: None, authority: Member, django_capture_on_commit_callbacks: Any
) -> None:
    urgent = route(authority, django_capture_on_commit_callbacks, kind="CONTENT_REMOVAL",
                   category="TERRORISM", reference="U1")  # fmt: skip
    other = route(authority, django_capture_on_commit_callbacks, reference="D1")
    assert (urgent.queue, urgent.payload["urgent"]) == ("urgent", True)
    assert (other.queue, other.payload["urgent"]) == ("default", False)


@pytest.mark.django_db
def test_a_notification_that_cannot_be_sent_is_retried_dead_lettered_and_revived_from_admin(
    policy: None,
    authority: Member,
    staff_client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    event = route(authority, django_capture_on_commit_callbacks, kind="CONTENT_REMOVAL",
                  category="TERRORISM")  # fmt: skip
    notification = Notification.objects.get()
    with mock.patch("switchboard.notifications.send_mail", side_effect=OSError("smtp down")):
        deliver_outbox_event_task.apply(args=[event.pk])  # eager: the retries run at once
    attempts = STAFF_NOTIFICATION.retry.max_attempts
    notification.refresh_from_db()
    event.refresh_from_db()
    assert notification.sent_at is None
    assert notification.gave_up_at is not None  # the record shows it gave up
    assert notification.attempts == attempts
    assert "smtp down" in notification.last_error
    assert (event.attempts, event.delivered_at) == (attempts, None)
    letter = DeadLetter.objects.get()
    assert (letter.key, letter.outbox_event_id) == (f"outbox:{event.pk}", event.pk)
    assert mail.outbox == []

    # Staff revive it from the one dead-letter admin; it is sent (once) after the commit.
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:core_deadletter_changelist"),
            {"action": "revive", "_selected_action": [str(letter.pk)]},
            follow=True,
        )
    assert "Revived 1 dead letter(s)." in response.content.decode()
    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert notification.gave_up_at is None
    assert notification.attempts == attempts + 1
    assert len(mail.outbox) == 1
    # Nothing is sent twice: not by a late duplicate message, nor by a direct call.
    deliver_outbox_event_task.apply(args=[event.pk])
    assert notifications.notification_send(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_send_that_fails_once_is_retried_and_sent_once(
    policy: None, authority: Member, django_capture_on_commit_callbacks: Any
) -> None:
    event = route(authority, django_capture_on_commit_callbacks)
    real_send_mail = notifications.send_mail
    outcomes = iter([OSError("smtp busy")])

    def flaky_send_mail(*args: Any, **kwargs: Any) -> int:
        for error in outcomes:
            raise error
        return real_send_mail(*args, **kwargs)

    with mock.patch("switchboard.notifications.send_mail", side_effect=flaky_send_mail):
        deliver_outbox_event_task.apply(args=[event.pk])
    notification = Notification.objects.get()
    assert (notification.attempts, notification.gave_up_at) == (2, None)
    assert notification.sent_at is not None
    assert notification.last_error == ""
    assert len(mail.outbox) == 1
    assert not DeadLetter.objects.exists()


@pytest.mark.django_db
def test_the_migration_moves_unsent_and_given_up_notifications_into_the_outbox(
    policy: None, authority: Member, django_capture_on_commit_callbacks: Any
) -> None:
    route(authority, django_capture_on_commit_callbacks, reference="P1")
    route(authority, django_capture_on_commit_callbacks, reference="G1")
    route(authority, django_capture_on_commit_callbacks, reference="S1")
    pending, gave_up, sent = (
        Notification.objects.get(ticket__legal_request__reference=reference)
        for reference in ("P1", "G1", "S1")
    )
    OutboxEvent.objects.filter(topic=STAFF_NOTIFICATION.name).delete()  # as before the change
    Notification.objects.filter(pk=sent.pk).update(sent_at="2026-01-01T00:00:00Z")
    Notification.objects.filter(pk=gave_up.pk).update(
        gave_up_at="2026-01-01T00:00:00Z", attempts=6, last_error="smtp down"
    )
    old_letter = DeadLetter.objects.create(
        key=f"notification:{gave_up.pk}", task_name="switchboard.tasks.send_notification_task",
        args=[gave_up.pk], queue="default", error="smtp down", attempts=6,
    )  # fmt: skip
    migration = importlib.import_module("switchboard.migrations.0003_notifications_through_outbox")
    migration.notifications_to_outbox(apps, None)

    events = {
        e.payload["notification_id"]: e
        for e in OutboxEvent.objects.filter(topic=STAFF_NOTIFICATION.name)
    }
    assert set(events) == {pending.pk, gave_up.pk}  # the sent one needs nothing
    assert events[pending.pk].enqueued_at is None  # the re-drive sends it
    assert events[pending.pk].dead_lettered_at is None
    assert events[gave_up.pk].dead_lettered_at is not None
    old_letter.refresh_from_db()
    assert old_letter.outbox_event == events[gave_up.pk]  # revivable from the admin
    assert old_letter.key == f"outbox:{events[gave_up.pk].pk}"
