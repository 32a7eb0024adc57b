"""Fixtures shared by the switchboard and hotline tests: Celery in-process, an in-memory channel
layer, the default policy and an injected clock (each conftest imports what it uses)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from portal.celery import app
from switchboard.policy import switchboard_seed_defaults


class Clock:
    """A controllable `timezone.now()` (services also take `now=` directly)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def advance(self, **delta: float) -> datetime:
        from datetime import timedelta

        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(autouse=True)
def _celery_in_process(request: pytest.FixtureRequest) -> Iterator[None]:
    """Unit tests run tasks in-process (eager): nothing is published to the shared Redis.
    Reliability tests (marked) talk to a real worker through their own Redis instead."""
    if request.node.get_closest_marker("reliability"):
        yield
        return
    previous = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True)
def _in_memory_channel_layer(settings: Any) -> None:
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@pytest.fixture
def policy(db: Any) -> None:
    """The default teams, rules, clocks and chains (flushed tables are re-seeded)."""
    switchboard_seed_defaults()


@pytest.fixture
def clock() -> Iterator[Clock]:
    """Freeze `django.utils.timezone.now` at the real time; `clock.advance(minutes=5)` moves it."""
    frozen = Clock(timezone.now())
    with mock.patch("django.utils.timezone.now", side_effect=lambda: frozen.now):
        yield frozen
