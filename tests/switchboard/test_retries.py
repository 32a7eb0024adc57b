"""Staff notifications: recorded with the decision, sent by a batched flush on the ticket's
queue; a send that fails goes to the outbox, which retries it with backoff through Celery,
dead-letters it (the notification shows it gave up) and lets staff revive it from the
dead-letter admin; never sent twice.

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
from core.redis import get_redis
from portal.celery import app
from switchboard import notifications, tasks
from switchboard.models import Notification
from switchboard.sweep import switchboard_sweep
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


def route(member: Member, django_capture_on_commit_callbacks: Any, **kwargs: Any) -> Notification:
    """Route a submission; return its notification (recorded, not sent: no flush ran)."""
    legal_request = submit_request(member, **kwargs)
    event = submitted_events().get(payload__legal_request_id=str(legal_request.pk))
    with django_capture_on_commit_callbacks(execute=False):  # routed; nothing enqueued
        deliver_outbox_event_task.apply(args=[event.pk])
    return Notification.objects.get(ticket__legal_request=legal_request)


def failed_flush(django_capture_on_commit_callbacks: Any, error: Exception) -> OutboxEvent:
    """Flush with the mail server refusing; return the outbox event the failure handed the
    notification to (not delivered yet: the callbacks did not run)."""
    with (
        mock.patch("switchboard.notifications.send_mail", side_effect=error),
        django_capture_on_commit_callbacks(execute=False),
    ):
        assert notifications.notifications_flush(urgent=None) == 1
    return OutboxEvent.objects.get(topic=STAFF_NOTIFICATION.name)


@pytest.mark.django_db
def test_an_urgent_tickets_notification_goes_on_urgent_and_others_on_default(
    policy: None, authority: Member, django_capture_on_commit_callbacks: Any
) -> None:
    urgent = route(authority, django_capture_on_commit_callbacks, kind="CONTENT_REMOVAL",
                   category="TERRORISM", reference="U1")  # fmt: skip
    other = route(authority, django_capture_on_commit_callbacks, reference="D1")
    get_redis().delete(*(notifications.FLUSH_KEY.format(queue=q) for q in ("urgent", "default")))
    with mock.patch.object(tasks.flush_notifications_task, "apply_async") as enqueue:
        for _ in range(3):  # a burst: one flush per queue is asked for, not one per ticket
            notifications.notifications_flush_request(urgent=True)
            notifications.notifications_flush_request(urgent=False)
    assert [c.kwargs["queue"] for c in enqueue.call_args_list] == ["urgent", "default"]
    assert [c.kwargs["args"] for c in enqueue.call_args_list] == [[True], [False]]
    # The flush of a queue clears its key (the next commit asks again) and sends its own only.
    assert notifications.notifications_flush(urgent=True) == 1
    assert not get_redis().exists(notifications.FLUSH_KEY.format(queue="urgent"))
    assert get_redis().exists(notifications.FLUSH_KEY.format(queue="default"))
    urgent.refresh_from_db()
    other.refresh_from_db()
    assert (urgent.sent_at is not None, other.sent_at) == (True, None)
    # A failure goes to the outbox on the ticket's queue.
    event = failed_flush(django_capture_on_commit_callbacks, OSError("smtp down"))
    assert (event.queue, event.payload) == ("default", {"notification_id": other.pk,
                                                        "urgent": False})  # fmt: skip
    get_redis().delete(notifications.FLUSH_KEY.format(queue="default"))


@pytest.mark.django_db
def test_a_notification_that_cannot_be_sent_is_retried_dead_lettered_and_revived_from_admin(
    policy: None,
    authority: Member,
    staff_client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    notification = route(authority, django_capture_on_commit_callbacks, kind="CONTENT_REMOVAL",
                         category="TERRORISM")  # fmt: skip
    event = failed_flush(django_capture_on_commit_callbacks, OSError("smtp down"))
    with mock.patch("switchboard.notifications.send_mail", side_effect=OSError("smtp down")):
        deliver_outbox_event_task.apply(args=[event.pk])  # eager: the retries run at once
    attempts = STAFF_NOTIFICATION.retry.max_attempts
    notification.refresh_from_db()
    event.refresh_from_db()
    assert notification.sent_at is None
    assert notification.gave_up_at is not None  # the record shows it gave up
    assert notification.attempts == attempts + 1  # the flush's, then the outbox's
    assert "smtp down" in notification.last_error
    assert (event.attempts, event.delivered_at) == (attempts, None)
    letter = DeadLetter.objects.get()
    assert (letter.key, letter.outbox_event_id) == (f"outbox:{event.pk}", event.pk)
    assert mail.outbox == []
    assert notifications.notifications_flush(urgent=None) == 0  # not the flush's any more

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
    assert notification.attempts == attempts + 2
    assert len(mail.outbox) == 1
    # Nothing is sent twice: not by a late duplicate message, a flush, nor by a direct call.
    deliver_outbox_event_task.apply(args=[event.pk])
    assert notifications.notifications_flush(urgent=None) == 0
    assert notifications.notification_send(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_send_that_fails_once_is_retried_and_sent_once(
    policy: None, authority: Member, django_capture_on_commit_callbacks: Any
) -> None:
    route(authority, django_capture_on_commit_callbacks)
    event = failed_flush(django_capture_on_commit_callbacks, OSError("smtp busy"))
    deliver_outbox_event_task.apply(args=[event.pk])
    notification = Notification.objects.get()
    assert (notification.attempts, notification.gave_up_at) == (2, None)
    assert notification.sent_at is not None
    assert notification.last_error == ""
    assert len(mail.outbox) == 1
    assert not DeadLetter.objects.exists()


@pytest.mark.django_db
def test_the_sweep_sends_what_no_flush_took(
    policy: None, authority: Member, django_capture_on_commit_callbacks: Any, clock: Any
) -> None:
    notification = route(authority, django_capture_on_commit_callbacks)  # Redis was down, say
    assert switchboard_sweep().flushed == 0  # too recent: a flush may be on its way
    clock.advance(seconds=notifications.FLUSH_STALE_AFTER.total_seconds())
    assert switchboard_sweep().flushed == 1
    notification.refresh_from_db()
    assert (notification.attempts, notification.sent_at is not None) == (1, True)
    assert len(mail.outbox) == 1
    assert switchboard_sweep().flushed == 0


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
