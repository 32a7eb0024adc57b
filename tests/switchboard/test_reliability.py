"""Reliability with the real things: PostgreSQL, a private redis-server, a real Celery worker.

(a) Redis down while requests are submitted; (b) the worker SIGKILLed mid-routing twenty times;
(c) one event delivered three times; (d) a rule that raises (see test_routing); (e) escalation
and breach from the sweeper after every pending Celery message is purged.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.utils import timezone

from core.outbox.tasks import deliver_outbox_event_task, redrive_outbox_task
from liaison.models import LegalRequest, RequestStatus, TimelineEntry
from switchboard.models import Notification, Ticket
from switchboard.tasks import sweep_switchboard_task
from tests.conftest import Member
from tests.realthings import (
    CELERY_ENTRY_POINT,
    RedisServer,
    Worker,
    point_portal_at,
    wait_for,
)
from tests.switchboard.conftest import submit_request, submitted_events
from tests.switchboard.pausing_worker import PAUSE_DIR_ENV

pytestmark = [pytest.mark.reliability, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    saved = {
        name: getattr(settings, name)
        for name in ("REDIS_URL", "CELERY_BROKER_URL", "CACHES", "CHANNEL_LAYERS")
    }
    point_portal_at(server.url)
    try:
        yield server
    finally:
        point_portal_at(saved["CELERY_BROKER_URL"])
        for name, value in saved.items():
            setattr(settings, name, value)
        server.stop()


@pytest.fixture
def pause_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "pause"
    directory.mkdir()
    return directory


@pytest.fixture
def worker(
    private_redis: RedisServer, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Worker]:
    extra, concurrency, entry_point = {}, 1, CELERY_ENTRY_POINT
    if "pause_dir" in request.fixturenames:  # routing pauses mid-transaction for the kill test
        extra[PAUSE_DIR_ENV] = str(request.getfixturevalue("pause_dir"))
        entry_point = ("tests.switchboard.pausing_worker",)
        # Two pool processes: while the killed one is replaced (the pool checks every few
        # seconds), the other takes the next routing, so twenty kills take seconds, not minutes.
        concurrency = 2
    process = Worker(
        private_redis.url, tmp_path / "worker.log", extra_env=extra, concurrency=concurrency,
        entry_point=entry_point,
    )  # fmt: skip
    process.start()
    try:
        yield process
    finally:
        process.stop()


def all_routed(ids: list[Any]) -> bool:
    return LegalRequest.objects.filter(pk__in=ids, status=RequestStatus.ROUTED).count() == len(ids)


def all_sent(ids: list[Any]) -> bool:
    unsent = Notification.objects.filter(ticket__legal_request_id__in=ids, sent_at__isnull=True)
    return (
        Notification.objects.filter(ticket__legal_request_id__in=ids).exists()
        and not unsent.exists()
    )


def assert_exactly_once(ids: list[Any]) -> None:
    for legal_request_id in ids:
        assert Ticket.objects.filter(legal_request_id=legal_request_id).count() == 1
        routed = TimelineEntry.objects.filter(legal_request_id=legal_request_id, event="ROUTED")
        assert routed.count() == 1
        notifications = Notification.objects.filter(
            ticket__legal_request_id=legal_request_id, kind=Notification.Kind.ROUTED
        )
        assert notifications.count() == 1
        [notification] = notifications
        assert notification.sent_at is not None
        assert notification.attempts == 1  # claimed (and sent) once


def redrive_as_beat_would(after: timedelta = timedelta(seconds=30)) -> int:
    """Run the outbox re-drive's beat task as if `after` had passed (it only re-drives events
    older than 10 s); the enqueued work goes to the real worker."""
    later = timezone.now() + after
    with mock.patch("django.utils.timezone.now", return_value=later):
        return redrive_outbox_task()


def test_a_redis_outage_at_submission_loses_nothing(
    policy: None, authority: Member, private_redis: RedisServer, worker: Worker
) -> None:
    private_redis.stop()
    durations, ids = [], []
    for i in range(10):
        started = time.monotonic()
        kind = "CONTENT_REMOVAL" if i % 2 else "DATA_DISCLOSURE"
        category = "TERRORISM" if i % 2 else "FRAUD"
        ids.append(submit_request(authority, kind=kind, category=category, reference=f"R{i}").pk)
        durations.append(time.monotonic() - started)
    # Accepted means committed, even with the broker down; and the publish failed fast.
    assert LegalRequest.objects.filter(pk__in=ids, status=RequestStatus.RECEIVED).count() == 10
    assert submitted_events().filter(enqueued_at__isnull=True).count() == 10
    assert max(durations) < 2.0, durations

    private_redis.start()  # same port, empty: whatever it held is gone
    back = time.monotonic()
    assert redrive_as_beat_would() == 10
    wait_for(lambda: all_routed(ids), 50, "every request to be routed")
    routed_within = time.monotonic() - back
    wait_for(lambda: all_sent(ids), 20, "every notification to be sent")
    assert routed_within < 60
    assert_exactly_once(ids)
    print(f"\nsubmit with Redis down: max {max(durations) * 1000:.0f} ms; "
          f"all routed {routed_within:.1f} s after Redis returned")  # fmt: skip


def test_worker_killed_mid_routing_twenty_times(
    policy: None, authority: Member, pause_dir: Path, worker: Worker
) -> None:
    ids = [str(submit_request(authority, reference=f"K{i}").pk) for i in range(20)]
    killed: set[str] = set()
    while len(killed) < 20:
        pid_file = wait_for(
            lambda: next((p for p in pause_dir.glob("*.pid") if p.stem not in killed), None),
            30,
            f"routing to pause (killed {len(killed)} so far)\n{worker.log_tail()}",
        )
        pid = int(pid_file.read_text())
        # The ticket and notification rows are written but not committed: kill the process.
        (pause_dir / f"{pid_file.stem}.done").touch()
        os.kill(pid, signal.SIGKILL)
        killed.add(pid_file.stem)
    wait_for(lambda: all_routed(ids), 60, f"every request to be routed\n{worker.log_tail()}")
    wait_for(lambda: all_sent(ids), 30, "every notification to be sent")
    assert_exactly_once(ids)
    assert "WorkerLostError" in worker.log_tail(10**7)
    assert not submitted_events().filter(delivered_at__isnull=True).exists()


def test_one_event_delivered_three_times(policy: None, authority: Member, worker: Worker) -> None:
    legal_request = submit_request(authority, kind="CONTENT_REMOVAL", category="TERRORISM")
    event = submitted_events().get()
    for _ in range(3):
        deliver_outbox_event_task.apply_async(args=[event.pk], queue="urgent")
    wait_for(lambda: all_routed([legal_request.pk]), 30, "the request to be routed")
    wait_for(lambda: all_sent([legal_request.pk]), 30, "the notification to be sent")
    time.sleep(0.5)  # let the duplicates run
    assert_exactly_once([legal_request.pk])


def test_escalation_and_breach_come_from_the_sweeper_not_from_queued_tasks(
    policy: None, authority: Member, private_redis: RedisServer, worker: Worker
) -> None:
    legal_request = submit_request(authority, kind="CONTENT_REMOVAL", category="TERRORISM")
    wait_for(lambda: all_routed([legal_request.pk]), 30, "the request to be routed")
    wait_for(lambda: all_sent([legal_request.pk]), 30, "the routing notification")
    private_redis.client().flushdb()  # every pending Celery message is gone
    ticket = Ticket.objects.get()
    for minutes in (5, 15, 30, 45, 61):
        at = ticket.opened_at + timedelta(minutes=minutes)
        with mock.patch("django.utils.timezone.now", return_value=at):
            sweep_switchboard_task()
    events = list(
        TimelineEntry.objects.filter(legal_request=legal_request).values_list("event", flat=True)
    )
    assert events == ["SUBMITTED", "ROUTED", "ESCALATED", "ESCALATED", "ESCALATED",
                      "BREACH_WARNING", "BREACHED"]  # fmt: skip
    ticket.refresh_from_db()
    assert ticket.breached_at == ticket.opened_at + timedelta(minutes=61)
    # The real worker sends what the sweeps decided.
    wait_for(lambda: all_sent([legal_request.pk]), 30, "the escalation notifications")
    assert Notification.objects.filter(ticket=ticket).count() == 6
