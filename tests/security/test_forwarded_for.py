"""Attack: a local client spoofs X-Forwarded-For to get a fresh rate-limit bucket per request.

Before: uvicorn believed X-Forwarded-For from 127.0.0.1 (its default --forwarded-allow-ips) and
the view bucketed anonymous callers by the rewritten REMOTE_ADDR, so any local client could
rotate its address. Now uvicorn runs with --no-proxy-headers (as make run and compose start it)
and the portal reads the header itself, from TRUSTED_PROXIES only (core.http.client_ip).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from core.ratelimit import bucket_key
from core.redis import get_redis
from tests.realthings import PortalServer, running_portal

pytestmark = pytest.mark.django_db(transaction=True)
LIMIT = 5


@pytest.fixture(scope="module")
def strict_server(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PortalServer]:
    env = {"API_ANONYMOUS_RATE_LIMIT_PER_MINUTE": str(LIMIT), "TRUSTED_PROXIES": ""}
    with running_portal(tmp_path_factory.mktemp("xff") / "uvicorn.log", env=env) as server:
        yield server


def anonymous_query(server: PortalServer, forwarded_for: str) -> int:
    request = urllib.request.Request(  # noqa: S310 - loopback test server
        f"{server.url}/graphql/",
        data=json.dumps({"query": "{ viewer { authenticated } }"}).encode(),
        headers={"Content-Type": "application/json", "X-Forwarded-For": forwarded_for},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def fresh_bucket() -> None:
    """Start with the loopback bucket empty (the other real-server tests of the session share
    it); its window then starts with this test's first request and outlasts the test."""
    get_redis().delete(bucket_key("ip:127.0.0.1"))


def test_a_spoofed_forwarded_for_does_not_buy_a_fresh_bucket(strict_server: PortalServer) -> None:
    fresh_bucket()
    statuses = [anonymous_query(strict_server, f"198.51.100.{n}") for n in range(LIMIT + 2)]
    assert statuses[:LIMIT] == [200] * LIMIT
    assert statuses[LIMIT:] == [429, 429], statuses
