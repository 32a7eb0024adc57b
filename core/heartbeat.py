"""Heartbeats: nothing that should run periodically may stop silently.

Celery beat, the switchboard's sweep and a worker on each queue record a heartbeat in Redis
each time they run; `/healthz` reports any whose last beat is older than twice its period
(Grafana OnCall's auditor does the same for escalations). A dead beat would otherwise stop
every escalation and breach record without a sign.

- beat: `HeartbeatScheduler` (the beat scheduler in settings) beats on every tick;
- a queue: beat sends `core.tasks.queue_heartbeat_task` to each queue, its worker beats;
- anything else periodic calls `heartbeat_record(name)` when it runs.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django_celery_beat.schedulers import DatabaseScheduler

from core.redis import get_redis

KEY_PREFIX = "liaison:heartbeat:"
BEAT = "beat"
BEAT_EVERY_SECONDS = 5.0


def queue_heartbeat(queue: str) -> str:
    """The heartbeat name of a Celery queue's workers."""
    return f"queue:{queue}"


def heartbeat_record(name: str) -> None:
    """Record that `name` ran just now (best effort: Redis down is reported by its own check)."""
    # Redis being down is /healthz's own finding.
    with contextlib.suppress(Exception):
        get_redis().set(f"{KEY_PREFIX}{name}", repr(time.time()), ex=24 * 3600)


@dataclass(frozen=True)
class Staleness:
    """A heartbeat older than twice its period (or never seen after the grace period)."""

    name: str
    age_seconds: float | None  # None: never seen
    period_seconds: float


def stale_heartbeats(*, now: float | None = None) -> list[Staleness]:
    """The expected heartbeats (setting HEARTBEATS: name -> period in seconds) that are stale.

    A heartbeat never seen counts as stale only HEARTBEAT_GRACE_SECONDS after this process
    started, so a portal that is still starting up is not reported as broken.
    """
    expected: dict[str, float] = getattr(settings, "HEARTBEATS", {})
    if not expected:
        return []
    now = time.time() if now is None else now
    names = list(expected)
    values = get_redis().mget([f"{KEY_PREFIX}{name}" for name in names])
    stale = []
    for name, raw in zip(names, values, strict=True):
        period = float(expected[name])
        if raw is None:
            if now - _STARTED_AT > float(getattr(settings, "HEARTBEAT_GRACE_SECONDS", 60)):
                stale.append(Staleness(name=name, age_seconds=None, period_seconds=period))
            continue
        age = now - float(raw)
        if age > 2 * period:
            stale.append(Staleness(name=name, age_seconds=age, period_seconds=period))
    return stale


class HeartbeatScheduler(DatabaseScheduler):
    """django-celery-beat's scheduler that also beats (at most every few seconds) as it ticks."""

    _last_beat = 0.0

    def tick(self, *args: Any, **kwargs: Any) -> float:
        now = time.monotonic()
        if now - self._last_beat >= BEAT_EVERY_SECONDS:
            heartbeat_record(BEAT)
            self._last_beat = now
        # Never sleep longer than the beat interval, so the beat stays fresh when idle.
        return min(float(super().tick(*args, **kwargs)), BEAT_EVERY_SECONDS)


_STARTED_AT = time.time()
