"""The attacks of tests/security run against the real server: uvicorn serving the portal on the
test database and the real Redis, as `make run` starts its web process."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.realthings import ROOT, free_port, wait_for, worker_database_url


@pytest.fixture(autouse=True)
def _in_memory_channel_layer() -> None:
    """The server uses the real Redis channel layer (nothing to override here)."""


class PortalServer:
    """A running uvicorn: its base URL, port and log."""

    def __init__(self, url: str, port: int, log: Path) -> None:
        self.url = url
        self.port = port
        self.log = log

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture(scope="session")
def portal_server(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PortalServer]:
    """One uvicorn for the whole session (requests see only committed data: the tests that use
    it are transactional)."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("portal-server") / "uvicorn.log"
    log = log_path.open("wb")
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "DB_POOL": "1",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("TEST_DB_NAME", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "portal.asgi:application", "--host", "127.0.0.1",
         "--port", str(port), "--ws", "websockets", "--lifespan", "off"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        if process.poll() is not None:
            raise AssertionError(log_path.read_text()[-3000:])
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
                return response.status == 200
        except OSError:
            return False

    try:
        wait_for(healthy, 30, "uvicorn to answer /healthz")
        yield PortalServer(url, port, log_path)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
