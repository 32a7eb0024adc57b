"""core.periodic: a beat-sent periodic task claims its period in Redis; one run per period."""

from __future__ import annotations

import os
from typing import Any

import pytest

from core.periodic import KEY_PREFIX, once_per_period, periodic_claim
from core.redis import get_redis


@pytest.fixture(autouse=True)
def _fresh_claims() -> None:
    for key in get_redis().scan_iter(f"{KEY_PREFIX}test-*"):
        get_redis().delete(key)


def test_the_first_claim_of_a_period_wins_and_expires_before_the_next_period() -> None:
    assert periodic_claim("test-a", 0.5)
    assert not periodic_claim("test-a", 0.5)  # another node's send in the same period
    assert periodic_claim("test-b", 0.5)  # each name has its own claim
    ttl_ms = get_redis().pttl(f"{KEY_PREFIX}test-a")
    assert 0 < ttl_ms <= 450  # 0.9 of the period: a beat's next send is never skipped
    assert get_redis().get(f"{KEY_PREFIX}test-a").decode().endswith(f":{os.getpid()}")
    get_redis().delete(f"{KEY_PREFIX}test-a")  # as Redis expires it (its clock, not ours)
    assert periodic_claim("test-a", 0.5)


def test_a_guarded_task_runs_by_hand_always_and_from_beat_once_per_period() -> None:
    runs: list[Any] = []

    @once_per_period("test-task", lambda: 60)
    def task(value: int) -> int:
        runs.append(value)
        return value

    assert task(1, claim_period=True) == 1
    assert task(2, claim_period=True) is None  # the second node's beat: skipped
    assert task(3) == 3  # by hand: always
    assert runs == [1, 3]


def test_every_beat_entry_of_periodic_work_claims_its_period(settings: Any) -> None:
    """Every periodic job claims its period; only the heartbeats of each node's queues (which
    prove that node's workers answer) run on every node."""
    schedule = settings.CELERY_BEAT_SCHEDULE
    jobs = [name for name in schedule if not name.startswith("heartbeat-")]
    assert {"switchboard-sweep", "outbox-redrive", "audit-seal"} <= set(jobs)
    for name in jobs:
        assert schedule[name].get("kwargs") == {"claim_period": True}, name


def test_with_redis_unreachable_the_work_runs(settings: Any) -> None:
    """Idempotent periodic work runs rather than stops when the lock cannot be asked."""
    original = settings.REDIS_URL
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    get_redis.cache_clear()
    try:
        assert periodic_claim("test-c", 10)
        assert periodic_claim("test-c", 10)
    finally:
        settings.REDIS_URL = original
        get_redis.cache_clear()
