"""Fixtures of the ground-floor tests: Celery in-process (eager), and a staff admin client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from portal.celery import app
from tests.factories import SuperuserFactory
from tests.signin import sign_in_staff


@pytest.fixture(autouse=True)
def _celery_in_process(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tasks run in-process (eager), retries included: with `task_eager_propagates` off, an
    eager task that retries is applied again at once by Celery's own retry path (a propagated
    `Retry` would end it instead). Tests marked `reliability` use a real broker instead."""
    if request.node.get_closest_marker("reliability"):
        yield
        return
    previous = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, False
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture
def staff_client(db: Any) -> Client:
    # The outbox is a superuser's; admin takes the second factor too.
    return sign_in_staff(Client(), SuperuserFactory())
