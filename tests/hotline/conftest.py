"""Fixtures of the hotline tests (shared with the switchboard's, from tests.fixtures)."""

from tests.fixtures import (  # noqa: F401 - fixtures of this directory
    _celery_in_process,
    _in_memory_channel_layer,
    clock,
    policy,
)
