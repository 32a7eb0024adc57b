"""Fixtures of the transparency tests: the liaison workflow helpers (a test signing key, staff,
demo accounts) and the default switchboard policy."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.fixtures import _celery_in_process, _in_memory_channel_layer, clock, policy
from tests.liaison.conftest import _test_signing_key, accounts, media_root, staff_one, staff_two

__all__ = [
    "_celery_in_process",
    "_in_memory_channel_layer",
    "_test_signing_key",
    "accounts",
    "clock",
    "media_root",
    "policy",
    "staff_one",
    "staff_two",
]


@pytest.fixture(autouse=True)
def _fresh_report_cache() -> None:
    """The period reports are cached in Redis: each test starts without another's answers."""
    cache.clear()  # this test run's own Redis database (REDIS_URL)
