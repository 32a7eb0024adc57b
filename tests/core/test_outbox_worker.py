"""The outbox with a real broker and a real worker: a failed delivery is retried on the `retry`
queue (never on `urgent`), and delivered from there.

A private redis-server (tests/realthings.py) is the broker; Celery's embedded test worker runs
in a thread of this process, so it sees this module's topic and handler.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import transaction

from core.outbox import services as outbox
from core.outbox.models import OutboxEvent
from core.outbox.topics import RetryPolicy, subscribe, topic_declare
from portal.celery import app
from tests.realthings import RedisServer, point_portal_at, wait_for

pytestmark = [pytest.mark.reliability, pytest.mark.django_db(transaction=True)]

RETRY_AFTER = 0.3
URGENT_FLAKY = topic_declare(
    name="test.urgent_flaky",
    queue="urgent",
    retry=RetryPolicy(max_attempts=3, backoff_seconds=RETRY_AFTER, backoff_max_seconds=RETRY_AFTER),
)
calls: Counter[int] = Counter()


@subscribe(URGENT_FLAKY)
def _fails_the_first_time(event: OutboxEvent) -> None:
    calls[event.pk] += 1
    if calls[event.pk] == 1:
        raise RuntimeError("downstream is broken")


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


def delivered(event: OutboxEvent) -> bool:
    return OutboxEvent.objects.filter(pk=event.pk, delivered_at__isnull=False).exists()


def test_a_failed_delivery_waits_on_the_retry_queue_never_on_urgent(
    private_redis: RedisServer,
) -> None:
    redis = private_redis.client()
    with transaction.atomic():
        event = outbox.outbox_emit(topic=URGENT_FLAKY, payload={})
    assert event is not None
    assert redis.llen("urgent") == 1  # published after commit, on the topic's queue
    with start_worker(app, queues=["urgent", "default"], perform_ping_check=False):
        wait_for(lambda: redis.llen("retry") == 1, 20, "the retry to be published on `retry`")
        time.sleep(RETRY_AFTER * 3)  # well past the countdown: it did not come back on urgent
        assert calls[event.pk] == 1
        assert redis.llen("urgent") == 0
        assert not delivered(event)
    event.refresh_from_db()
    assert (event.attempts, event.dead_lettered_at) == (1, None)
    assert "downstream is broken" in event.last_error
    with start_worker(app, queues=["retry"], perform_ping_check=False):
        wait_for(lambda: delivered(event), 20, "the retry to be delivered from `retry`")
    event.refresh_from_db()
    assert (calls[event.pk], event.attempts) == (2, 2)
