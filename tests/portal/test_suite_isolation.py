"""The test processes of `make test` (pytest-xdist) never share a Redis database: the Celery
queues, channel groups, caches and rate limits of one would be the other's (tests/plugin.py)."""

from __future__ import annotations

import os

from django.conf import settings

from tests.plugin import redis_url_for_worker


def test_each_worker_moves_the_redis_database_by_its_index() -> None:
    assert redis_url_for_worker("redis://127.0.0.1:6379/0", "gw0") == "redis://127.0.0.1:6379/0"
    assert redis_url_for_worker("redis://127.0.0.1:6379/0", "gw1") == "redis://127.0.0.1:6379/1"
    assert redis_url_for_worker("redis://127.0.0.1:6379/15", "gw1") == "redis://127.0.0.1:6379/0"
    assert redis_url_for_worker("redis://:pw@redis:6380", "gw3") == "redis://:pw@redis:6380/3"
    assert redis_url_for_worker("redis://127.0.0.1:6379/4", None) == "redis://127.0.0.1:6379/4"


def test_the_settings_use_the_workers_redis_database() -> None:
    """Under xdist the plugin rewrote REDIS_URL before the settings read it."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        assert os.environ["REDIS_URL"] == settings.REDIS_URL
        assert os.environ["REDIS_URL"] == settings.CELERY_BROKER_URL
