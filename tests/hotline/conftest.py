"""Fixtures of the switchboard tests: the default policy, submissions, time and Celery control."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from unittest import mock

import pytest
from django.db.models import QuerySet
from django.utils import timezone

from hotline import services
from liaison import services as liaison_services
from liaison.models import LegalRequest
from liaison.services import TOPIC_SUBMITTED
from portal.celery import app
from portal.models import OutboxEvent
from tests.conftest import Member

TARGETS = {
    "CONTENT_REMOVAL": ("MESSAGE_LINK", "https://t.me/bad_channel/42"),
    "MODERATION_NOTICE": ("MESSAGE_LINK", "https://t.me/bad_channel/43"),
}
DISCLOSES = {"DATA_DISCLOSURE", "EMERGENCY_DISCLOSURE"}


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
    services.switchboard_seed_defaults()


SubmitFn = Callable[..., LegalRequest]


def submit_request(
    member: Member,
    *,
    kind: str = "DATA_DISCLOSURE",
    category: str = "FRAUD",
    jurisdiction: str = "DE",
    reference: str = "AZ-1",
) -> LegalRequest:
    """Submit a valid request of this kind through the liaison service."""
    target_kind, target_value = TARGETS.get(kind, ("USERNAME", "fraud_boss"))
    spec = liaison_services.LegalRequestSpec(
        kind=kind,
        category=category,
        reference=reference,
        legal_basis="Court order",
        jurisdiction=jurisdiction,
        summary="Summary of the facts.",
        targets=[liaison_services.TargetSpec(kind=target_kind, value=target_value)],
        data_categories=["IP_ADDRESSES"] if kind in DISCLOSES else None,
    )
    return liaison_services.legal_request_submit(actor=member.actor, spec=spec)


class Clock:
    """A controllable `timezone.now()` (services also take `now=` directly)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def advance(self, **delta: float) -> datetime:
        from datetime import timedelta

        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Iterator[Clock]:
    """Freeze `django.utils.timezone.now` at the real time; `clock.advance(minutes=5)` moves it."""
    frozen = Clock(timezone.now())
    with mock.patch("django.utils.timezone.now", side_effect=lambda: frozen.now):
        yield frozen


def submitted_events() -> QuerySet[OutboxEvent]:
    """The `legal_request.submitted` events (other apps may emit other topics too)."""
    return OutboxEvent.objects.filter(topic=TOPIC_SUBMITTED)
