"""Bounded retries with backoff on the `retry` queue, ending in a dead letter visible to staff;
a dead letter can be re-driven."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.db import transaction

from core.outbox import services as outbox
from core.outbox.models import DeadLetter, OutboxEvent
from core.outbox.tasks import deliver_outbox_event_task, retry_countdown
from switchboard.models import Notification
from switchboard.tasks import send_notification_task
from tests.conftest import Member
from tests.switchboard.conftest import submit_request, submitted_events

calls: list[int] = []


@outbox.subscribe("test.always_fails")
def _always_fails(event: OutboxEvent) -> None:
    calls.append(event.pk)
    raise RuntimeError("downstream is broken")


def test_backoff_grows_and_is_capped() -> None:
    assert 0.5 <= retry_countdown(1) <= 1
    assert 4 <= retry_countdown(4) <= 8
    assert retry_countdown(20) <= 30


@pytest.mark.django_db
def test_a_failing_event_is_retried_on_the_retry_queue_then_dead_lettered(settings: Any) -> None:
    settings.OUTBOX_MAX_ATTEMPTS = 4
    calls.clear()
    with mock.patch("core.outbox.services.outbox_enqueue"):
        event = outbox.outbox_emit(topic="test.always_fails", payload={})
    queues: list[str] = []

    class Retried(Exception):
        pass

    def retry(*args: Any, **kwargs: Any) -> Exception:
        queues.append(kwargs["queue"])
        assert kwargs["countdown"] > 0
        return Retried()

    # The task body, as each (re)delivery runs it; Celery's retry only records where it goes.
    with mock.patch.object(deliver_outbox_event_task, "retry", side_effect=retry):
        for _ in range(3):
            with pytest.raises(Retried):
                deliver_outbox_event_task.run(event.pk)
        deliver_outbox_event_task.run(event.pk)  # the 4th failure: dead letter, no retry
    assert len(calls) == 4
    assert queues == ["retry", "retry", "retry"]
    event.refresh_from_db()
    assert event.dead_lettered_at is not None
    assert "downstream is broken" in event.last_error
    letter = DeadLetter.objects.get()
    assert (letter.key, letter.attempts, letter.outbox_event_id) == (
        f"outbox:{event.pk}",
        4,
        event.pk,
    )
    # The re-drive leaves it alone...
    OutboxEvent.objects.filter(pk=event.pk).update(created_at="2020-01-01T00:00:00Z")
    with mock.patch("core.outbox.services.outbox_enqueue") as enqueue:
        outbox.outbox_redrive()
    enqueue.assert_not_called()
    # ...until staff re-drive the letter.
    with mock.patch("core.outbox.services.outbox_enqueue") as enqueue, transaction.atomic():
        assert outbox.outbox_revive(letter=letter)
    event.refresh_from_db()
    assert (event.dead_lettered_at, event.attempts) == (None, 0)


@pytest.mark.django_db
def test_a_notification_that_cannot_be_sent_ends_as_a_dead_letter(
    policy: None, authority: Member, django_capture_on_commit_callbacks: Any
) -> None:
    submit_request(authority, kind="CONTENT_REMOVAL", category="TERRORISM")
    with mock.patch("switchboard.notifications.notification_enqueue"):
        outbox.outbox_deliver(event_id=submitted_events().get().pk)
    notification = Notification.objects.get()
    queues: list[str] = []
    with (
        mock.patch("switchboard.notifications.send_mail", side_effect=OSError("smtp down")),
        mock.patch.object(
            send_notification_task,
            "retry",
            side_effect=lambda **kwargs: queues.append(kwargs["queue"]) or OSError("retried"),
        ),
    ):
        for _ in range(5):
            with pytest.raises(OSError, match="retried"):
                send_notification_task.run(notification.pk)
        send_notification_task.run(notification.pk)  # the 6th: dead letter
    assert queues == ["retry"] * 5
    notification.refresh_from_db()
    assert notification.sent_at is None
    assert notification.gave_up_at is not None
    assert notification.attempts == 6
    assert DeadLetter.objects.get().key == f"notification:{notification.pk}"
    # Sending later (after staff re-drive) works, once.
    from switchboard import notifications

    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.notification_revive(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert notifications.notification_send(notification_id=notification.pk) is False
