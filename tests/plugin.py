"""Pytest plugin (`-p tests.plugin`): make sure the tests have a real PostgreSQL and Redis.

- DATABASE_URL / REDIS_URL unset: start the embedded servers (portal.embedded) before
  pytest-django loads the settings and long before any test connects. They keep running after
  the session, like after a manage.py command, so the next run starts at once; `make stop`.
- DATABASE_URL / REDIS_URL set but nothing answers there: end the session at once with a clear
  message and a non-zero status. Never skip: a run that tested nothing must not look green.
- Under pytest-xdist (`make test` runs two workers), each worker gets a Redis database of its
  own (REDIS_URL's number plus the worker's), as pytest-django gives it a test database of its
  own: the Celery queues, channel groups, caches and limits of one never meet the other's.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Generator
from urllib.parse import urlsplit, urlunsplit

import pytest

from portal import embedded, secret_key

DEFAULT_PORTS = {"postgres": 5432, "postgresql": 5432, "redis": 6379, "rediss": 6379}
CONNECT_TIMEOUT_SECONDS = 3.0

# Problems found before the session starts; reported by pytest_configure, where pytest.exit
# ends the run cleanly with our message instead of a traceback.
_problems: list[str] = []


def _unreachable(variable: str) -> str | None:
    """Why the server named by the URL in `variable` cannot be reached, or None if it can."""
    url = os.environ[variable]
    try:
        parts = urlsplit(url)
        host = parts.hostname or "localhost"
        port = parts.port or DEFAULT_PORTS.get(parts.scheme, 0)
    except ValueError as exc:
        return f"{variable} is not a valid URL ({exc})"
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_SECONDS):
            return None
    except OSError as exc:
        return f"{variable} points at {host}:{port}, which does not answer ({exc})"


REDIS_DATABASES = 16  # redis-server's default `databases`


def redis_url_for_worker(url: str, worker: str | None) -> str:
    """`url` with its database number moved by the xdist worker's index ("gw1": +1), modulo
    Redis's 16 databases; unchanged outside xdist (`worker` None)."""
    if not worker or not worker.startswith("gw"):
        return url
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    database = (base + int(worker[2:])) % REDIS_DATABASES
    return urlunsplit(parts._replace(path=f"/{database}"))


def _prepare_services() -> None:
    """Start embedded servers for unset URLs; check that set URLs answer. No beat runs in the
    tests (nor in the servers they start): /healthz does not expect its heartbeats unless a
    test asks for them."""
    os.environ.setdefault("HEALTH_BACKGROUND_CHECKS", "0")
    for variable, ensure in (
        ("DATABASE_URL", embedded.ensure_postgres),
        ("REDIS_URL", embedded.ensure_redis),
    ):
        if os.environ.get(variable):
            problem = _unreachable(variable)
            if problem:
                _problems.append(problem)
            continue
        try:
            ensure()
        except embedded.EmbeddedServerError as exc:
            _problems.append(f"{variable} is unset and the embedded server did not start: {exc}")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and not _problems:
        url = os.environ.get("REDIS_URL") or embedded.redis_url()
        os.environ["REDIS_URL"] = redis_url_for_worker(url, worker)


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(
    early_config: pytest.Config, parser: pytest.Parser, args: list[str]
) -> Generator[None, None, None]:
    """Before pytest-django's own implementation of this hook loads the settings: the servers.

    A wrapper runs before every plain implementation, whatever the plugin order.
    """
    if not (early_config.known_args_namespace.help or early_config.known_args_namespace.version):
        _prepare_services()
    # The development SECRET_KEY (var/secret-key), for the settings and for the servers and
    # workers the tests start; settings.py refuses to start without one when DEBUG is off.
    secret_key.ensure_in_environ(os.environ)
    return (yield)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Fail the whole session, loudly, when a database or Redis is missing."""
    if _problems:
        message = "\n".join(
            ["", "*" * 78, "Cannot run the tests:", *(f"  - {p}" for p in _problems), "*" * 78]
        )
        pytest.exit(message, returncode=pytest.ExitCode.USAGE_ERROR)
