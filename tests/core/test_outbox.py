"""The outbox: declared topics only, per-topic queue and retry policy, real retries ending in a
dead letter, revival from admin, the re-drive on its own beat entry, nothing delivered twice.

Celery runs eagerly here (`apply` runs the retries of a task at once, through Celery's own
retry path); tests/core/test_outbox_worker.py checks the `retry` queue with a real worker.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.outbox import services as outbox
from core.outbox.models import DeadLetter, OutboxEvent
from core.outbox.tasks import RETRY_QUEUE, deliver_outbox_event_task, redrive_outbox_task
from core.outbox.topics import RetryPolicy, Topic, TopicError, subscribe, topic_declare
from portal.celery import app

NO_WAIT = RetryPolicy(max_attempts=3, backoff_seconds=0.0, backoff_max_seconds=0.0)
FLAKY = topic_declare(name="test.flaky", retry=NO_WAIT)
PATIENT = topic_declare(
    name="test.patient",
    retry=RetryPolicy(max_attempts=5, backoff_seconds=0.0, backoff_max_seconds=600.0),
)
FILTERED = topic_declare(
    name="test.filtered", queue=lambda payload: payload.get("queue", "default")
)
UNSUBSCRIBED = topic_declare(name="test.unsubscribed")

calls: Counter[int] = Counter()
failures_left: dict[int, int] = {}


def _flaky(event: OutboxEvent) -> None:
    """Fails as often as `failures_left` says for this event (forever if -1), then succeeds."""
    calls[event.pk] += 1
    left = failures_left.get(event.pk, 0)
    if left:
        failures_left[event.pk] = left - 1
        raise RuntimeError("downstream is broken")


subscribe(FLAKY)(_flaky)
subscribe(PATIENT)(_flaky)


@subscribe(FILTERED, wants=lambda payload: payload.get("wanted", True))
def _filtered(event: OutboxEvent) -> None:
    calls[event.pk] += 1


@pytest.fixture(autouse=True)
def _fresh_counters() -> None:
    calls.clear()
    failures_left.clear()


def emit(topic: Topic, payload: dict | None = None, *, fail: int = 0) -> OutboxEvent:
    """Emit an event without enqueueing it (the test delivers it), failing `fail` times."""
    event = outbox.outbox_emit(topic=topic, payload=payload or {})
    assert event is not None
    failures_left[event.pk] = fail
    return event


# Declared topics only ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_emitting_on_an_undeclared_topic_raises_and_stores_nothing() -> None:
    with pytest.raises(TopicError, match="not declared"):
        outbox.outbox_emit(topic="test.never_declared", payload={})
    with pytest.raises(TopicError, match="not declared"):  # built, but never declared
        outbox.outbox_emit(topic=Topic(name="test.built_by_hand"), payload={})
    with pytest.raises(TopicError, match="not declared"):  # a name declared with other rules
        outbox.outbox_emit(topic=Topic(name=FLAKY.name, retry=RetryPolicy()), payload={})
    assert not OutboxEvent.objects.exists()


@pytest.mark.django_db
def test_emitting_on_a_topic_without_any_subscriber_raises() -> None:
    with pytest.raises(TopicError, match="no subscribed handler"):
        outbox.outbox_emit(topic=UNSUBSCRIBED, payload={})
    assert not OutboxEvent.objects.exists()


def test_subscribing_to_an_undeclared_topic_raises_and_declarations_do_not_conflict() -> None:
    with pytest.raises(TopicError):
        subscribe("test.never_declared")
    assert topic_declare(name="test.flaky", retry=NO_WAIT) is FLAKY  # same rules: the same
    with pytest.raises(TopicError, match="differently"):
        topic_declare(name="test.flaky", retry=RetryPolicy(max_attempts=9))


@pytest.mark.django_db
def test_an_event_no_subscriber_wants_is_not_stored() -> None:
    # The deliberate filter: a subscriber declines events it has no use for; nothing is kept.
    assert outbox.outbox_emit(topic=FILTERED, payload={"wanted": False}) is None
    assert not OutboxEvent.objects.exists()
    assert outbox.outbox_emit(topic=FILTERED, payload={"wanted": True}) is not None


@pytest.mark.django_db
def test_the_topic_chooses_the_queue() -> None:
    assert emit(FILTERED, {"queue": "urgent"}).queue == "urgent"
    assert emit(FILTERED).queue == "default"


# Retries, per-topic policy, dead letters -----------------------------------------------------


@pytest.mark.django_db
def test_a_failing_delivery_is_retried_through_celery_until_it_succeeds() -> None:
    event = emit(FLAKY, fail=2)
    deliver_outbox_event_task.apply(args=[event.pk])  # eager: Celery runs the retries at once
    event.refresh_from_db()
    assert calls[event.pk] == 3
    assert event.delivered_at is not None
    assert (event.attempts, event.dead_lettered_at) == (3, None)
    assert "downstream is broken" in event.last_error
    assert not DeadLetter.objects.exists()


@pytest.mark.django_db
def test_each_topic_has_its_own_number_of_attempts_then_a_dead_letter() -> None:
    flaky, patient = emit(FLAKY, fail=-1), emit(PATIENT, fail=-1)
    deliver_outbox_event_task.apply(args=[flaky.pk])
    deliver_outbox_event_task.apply(args=[patient.pk])
    assert (calls[flaky.pk], calls[patient.pk]) == (3, 5)
    for event, attempts in ((flaky, 3), (patient, 5)):
        event.refresh_from_db()
        assert event.delivered_at is None
        assert event.dead_lettered_at is not None
        letter = DeadLetter.objects.get(outbox_event=event)
        assert (letter.key, letter.attempts, letter.args) == (
            f"outbox:{event.pk}",
            attempts,
            [event.pk],
        )
        assert letter.task_name == deliver_outbox_event_task.name
        assert "downstream is broken" in letter.error
    # A dead event is not delivered again by a late duplicate message.
    deliver_outbox_event_task.apply(args=[flaky.pk])
    assert calls[flaky.pk] == 3


def test_backoff_grows_per_topic_and_is_capped() -> None:
    policy = RetryPolicy(max_attempts=8, backoff_seconds=5.0, backoff_max_seconds=300.0)
    assert 2.5 <= policy.countdown(1) <= 5
    assert 20 <= policy.countdown(4) <= 40
    assert 150 <= policy.countdown(30) <= 300
    assert RetryPolicy().countdown(10**6) <= 30
    # The re-drive waits longer than any retry of the topic before it calls an event lost.
    assert policy.lost_after > timedelta(seconds=300)


@pytest.mark.django_db
def test_retries_go_on_the_retry_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    # Where the retry is published is only visible on a broker (see test_outbox_worker.py);
    # here: the task asks Celery for the `retry` queue, with the topic's countdown.
    asked: list[dict[str, Any]] = []
    original = deliver_outbox_event_task.retry

    def recording_retry(*args: Any, **kwargs: Any) -> Any:
        asked.append(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(deliver_outbox_event_task, "retry", recording_retry)
    event = emit(PATIENT, fail=2)
    deliver_outbox_event_task.apply(args=[event.pk])
    assert [kwargs["queue"] for kwargs in asked] == [RETRY_QUEUE, RETRY_QUEUE]
    assert all(kwargs["countdown"] == 0 for kwargs in asked)
    event.refresh_from_db()
    assert event.delivered_at is not None


# Revive from admin -------------------------------------------------------------------------------


def revive_in_admin(client: Client, letters: list[DeadLetter]) -> Any:
    return client.post(
        reverse("admin:core_deadletter_changelist"),
        {"action": "revive", "_selected_action": [str(letter.pk) for letter in letters]},
        follow=True,
    )


@pytest.mark.django_db
def test_staff_revive_a_dead_letter_from_admin_and_it_is_delivered_once(
    staff_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    event = emit(FLAKY, fail=3)
    deliver_outbox_event_task.apply(args=[event.pk])
    letter = DeadLetter.objects.get()
    page = staff_client.get(reverse("admin:core_deadletter_changelist")).content.decode()
    assert f"outbox:{event.pk}" in page
    assert "test.flaky" in page  # the topic is shown
    # The re-drive leaves a dead letter alone...
    OutboxEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(days=1))
    with transaction.atomic():
        assert outbox.outbox_redrive() == 0
    # ...until staff revive it: a fresh set of attempts, enqueued after commit.
    with django_capture_on_commit_callbacks(execute=True):
        response = revive_in_admin(staff_client, [letter])
    assert "Revived 1 dead letter(s)." in response.content.decode()
    event.refresh_from_db()
    letter.refresh_from_db()
    assert letter.redriven_at is not None
    assert event.delivered_at is not None
    assert (event.attempts, calls[event.pk]) == (1, 4)
    # Reviving again does nothing.
    with django_capture_on_commit_callbacks(execute=True):
        response = revive_in_admin(staff_client, [letter])
    assert "Revived 0 dead letter(s)." in response.content.decode()
    assert calls[event.pk] == 4


@pytest.mark.django_db
def test_the_outbox_event_admin_is_read_only(staff_client: Client) -> None:
    event = emit(FLAKY)
    assert staff_client.get(reverse("admin:core_outboxevent_changelist")).status_code == 200
    change = staff_client.post(
        reverse("admin:core_outboxevent_change", args=[event.pk]), {"topic": "changed"}
    )
    assert change.status_code == 403
    assert staff_client.get(reverse("admin:core_outboxevent_add")).status_code == 403


# Re-drive ---------------------------------------------------------------------------------------


def test_the_redrive_has_its_own_beat_entry_on_the_urgent_queue() -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE
    [entry] = [e for e in schedule.values() if e["task"] == redrive_outbox_task.name]
    assert entry["task"] in app.tasks
    assert entry["options"]["queue"] == "urgent"
    assert 0 < entry["options"]["expires"] <= entry["schedule"] <= 15
    # No other app re-drives on its own: the beat runs the sweep, the re-drive, the queues'
    # heartbeats, the daily transparency reports, the hourly resend of waiting statements of
    # reasons, the user-notice and preservation sweeps (which remind and end; they re-drive
    # nothing) and the audit log's sealer.
    assert {e["task"] for e in schedule.values()} == {
        redrive_outbox_task.name,
        "switchboard.tasks.sweep_switchboard_task",
        "liaison.tasks.user_notice_sweep_task",
        "core.tasks.queue_heartbeat_task",
        "transparency.tasks.publish_daily_reports_task",
        "transparency.tasks.resend_pending_statements_task",
        "liaison.tasks.seal_audit_log_task",
        "liaison.tasks.sweep_preservations_task",
    }


@pytest.mark.django_db
def test_the_redrive_task_sends_what_never_reached_the_broker_or_was_lost() -> None:
    now = timezone.now()
    never_sent = emit(FLAKY)
    lost = emit(FLAKY)
    retrying = emit(PATIENT)  # a retry waits up to 10 min: not lost after 5
    fresh = emit(FLAKY)  # enqueued a moment ago: on its way
    OutboxEvent.objects.filter(pk=never_sent.pk).update(
        enqueued_at=None, created_at=now - timedelta(seconds=30)
    )
    OutboxEvent.objects.filter(pk__in=[lost.pk, retrying.pk]).update(
        enqueued_at=now - timedelta(minutes=5)
    )
    assert redrive_outbox_task.apply().get() == 2  # eager: each delivery runs at once
    delivered = set(
        OutboxEvent.objects.filter(delivered_at__isnull=False).values_list("pk", flat=True)
    )
    assert delivered == {never_sent.pk, lost.pk}
    assert not {retrying.pk, fresh.pk} & delivered
    OutboxEvent.objects.filter(pk=retrying.pk).update(enqueued_at=now - timedelta(minutes=12))
    assert redrive_outbox_task.apply().get() == 1
    # Nothing was delivered twice, and a second run finds nothing to do.
    assert redrive_outbox_task.apply().get() == 0
    assert set(calls.values()) == {1}


@pytest.mark.django_db
def test_a_redrive_with_the_broker_down_keeps_the_events(monkeypatch: pytest.MonkeyPatch) -> None:
    event = emit(FLAKY)
    OutboxEvent.objects.filter(pk=event.pk).update(
        enqueued_at=None, created_at=timezone.now() - timedelta(minutes=1)
    )

    def broker_down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("redis is down")

    monkeypatch.setattr(deliver_outbox_event_task, "apply_async", broker_down)
    assert outbox.outbox_redrive() == 0
    event.refresh_from_db()
    assert (event.enqueued_at, event.delivered_at) == (None, None)


# Exactly once ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_event_delivered_twice_runs_its_handlers_once() -> None:
    event = emit(FLAKY)
    for _ in range(3):
        deliver_outbox_event_task.apply(args=[event.pk])
    assert calls[event.pk] == 1
    assert not outbox.outbox_deliver(event_id=event.pk)


@pytest.mark.django_db
def test_an_event_of_a_topic_no_longer_declared_ends_as_a_dead_letter() -> None:
    event = OutboxEvent.objects.create(topic="test.retired", payload={})
    deliver_outbox_event_task.apply(args=[event.pk])
    event.refresh_from_db()
    assert event.dead_lettered_at is not None
    assert event.attempts == RetryPolicy().max_attempts
    assert "not declared" in DeadLetter.objects.get(outbox_event=event).error
