"""The attacks of tests/security run against the real server: uvicorn serving the portal on the
test database and the real Redis, as `make run` starts its web process."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.realthings import PortalServer, running_portal

__all__ = ["PortalServer"]


@pytest.fixture(autouse=True)
def _in_memory_channel_layer() -> None:
    """The server uses the real Redis channel layer (nothing to override here)."""


@pytest.fixture(scope="session")
def portal_server(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PortalServer]:
    """One uvicorn for the whole session (requests see only committed data: the tests that use
    it are transactional)."""
    with running_portal(tmp_path_factory.mktemp("portal-server") / "uvicorn.log") as server:
        yield server
