"""Nothing stops silently, and `make run` survives the death of any of its processes.

Before: a SIGKILLed worker made `make run` stop the whole portal (115 of 150 submissions were
refused), and a dead beat stopped every escalation and breach record without a sign.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

from core.heartbeat import KEY_PREFIX, heartbeat_record, stale_heartbeats
from core.redis import get_redis
from tests.realthings import ROOT, RedisServer, free_port, wait_for, worker_database_url

EXPECTED = {"beat": 15.0, "sweep": 30.0, "queue:urgent": 15.0}


@pytest.fixture
def heartbeats(settings: Any) -> None:
    settings.HEARTBEATS = EXPECTED
    get_redis().delete(*[f"{KEY_PREFIX}{name}" for name in EXPECTED])


@pytest.mark.django_db
def test_healthz_names_the_periodic_work_that_stopped(heartbeats: None, client: Any) -> None:
    for name in EXPECTED:
        heartbeat_record(name)
    assert client.get("/healthz").status_code == 200
    # The sweep last ran 61 s ago, more than twice its period: beat or the urgent worker died.
    get_redis().set(f"{KEY_PREFIX}sweep", repr(time.time() - 61))
    response = client.get("/healthz")
    assert response.status_code == 503
    stale = response.json()["background"]["stale"]
    assert [s["name"] for s in stale] == ["sweep"]
    assert stale[0]["seconds_since_seen"] >= 61


@pytest.mark.django_db
def test_a_heartbeat_never_seen_is_stale_only_after_the_grace_period(
    heartbeats: None, settings: Any
) -> None:
    settings.HEARTBEAT_GRACE_SECONDS = 3600
    assert stale_heartbeats() == []
    settings.HEARTBEAT_GRACE_SECONDS = 0
    assert sorted(s.name for s in stale_heartbeats()) == sorted(EXPECTED)


# `make run` itself ---------------------------------------------------------------------------


class PortalRun:
    """`python -m portal.run` on a database and Redis of its own, its output collected."""

    def __init__(self, database_url: str, redis_url: str, port: int, log: Any) -> None:
        self.port = port
        self.log_path = log
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "PORT": str(port),
            "WEB_WORKERS": "1",
            "HEALTH_BACKGROUND_CHECKS": "1",
        }
        env.pop("TEST_DB_NAME", None)
        env.pop("CELERY_TASK_ALWAYS_EAGER", None)
        self.log = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "portal.run"], cwd=ROOT, env=env,
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def pid_of(self, child: str, after: int = 0) -> int:
        """The pid of the newest start of `child` (its `started`/`restarted` line)."""
        found = re.findall(rf"run \| (?:re)?started {child} \(pid (\d+)\)", self.output()[after:])
        assert found, f"{child} not started:\n{self.output()[-3000:]}"
        return int(found[-1])

    def healthz(self) -> int:
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{self.port}/healthz", timeout=3
            ) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)
        except OSError:
            return 0

    def graphql(self, token: str, query: str, **variables: Any) -> dict:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/graphql/",
            data=json.dumps({"query": query, "variables": variables}).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return dict(json.loads(response.read()))

    def stop(self) -> int:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            return self.process.wait(60)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.log.close()


@pytest.fixture
def own_database() -> Iterator[str]:
    """A database of its own on the test server (make run migrates and seeds it)."""
    db = settings.DATABASES["default"]
    name = f"{db['NAME']}_run"
    admin = psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], password=db.get("PASSWORD") or None,
        dbname="postgres", autocommit=True,
    )  # fmt: skip
    with admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        yield worker_database_url().rsplit("/", 1)[0] + f"/{name}"
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


SUBMIT = """mutation ($ref: String!, $link: String!) { submitLegalRequest(input: {
  kind: CONTENT_REMOVAL, category: TERRORISM, reference: $ref, legalBasis: "Reg. (EU) 2021/784",
  jurisdiction: "DE", summary: "x", targets: [{kind: MESSAGE_LINK, value: $link}]}) {
  __typename ... on LegalRequest { id } ... on OperationInfo { messages { message } } } }"""
STATUS = "query ($id: ID!) { legalRequest(id: $id) { status } }"


@pytest.mark.reliability
def test_make_run_survives_kill_9_of_any_worker_and_keeps_serving(
    own_database: str, tmp_path: Path
) -> None:
    redis_server = RedisServer(tmp_path)
    redis_server.start()
    run = PortalRun(own_database, redis_server.url, free_port(), tmp_path / "run.log")
    try:
        wait_for(lambda: run.healthz() == 200, 120, "make run to answer /healthz")
        token = wait_for(
            lambda: re.search(r"\btoken \S+ \S+: (\S+)", run.output()), 30, "the demo tokens"
        ).group(1)
        # beat and a worker on each queue beat (the heartbeats /healthz watches)
        beats = redis_server.client()
        wait_for(
            lambda: all(beats.exists(f"{KEY_PREFIX}{n}") for n in ("beat", "queue:urgent")),
            60,
            "beat and the urgent worker's heartbeats",
        )
        for number, child in enumerate(("urgent", "default", "beat", "web"), start=1):
            seen = len(run.output())
            os.kill(run.pid_of(child), signal.SIGKILL)
            wait_for(lambda c=child, s=seen: f"restarted {c}" in run.output()[s:], 60,
                     f"{child} to be restarted")  # fmt: skip
            wait_for(lambda: run.healthz() == 200, 60, "/healthz after the restart")
            answer = run.graphql(
                token, SUBMIT, ref=f"KILL-{number}", link=f"https://t.me/bad_channel/{number}"
            )
            request_id = answer["data"]["submitLegalRequest"]["id"]
            # Routed by the restarted workers: the terrorism order is with its desk.
            wait_for(
                lambda rid=request_id: (
                    run.graphql(token, STATUS, id=rid)["data"]["legalRequest"]["status"] == "ROUTED"
                ),
                60,
                f"the request submitted after killing {child} to be routed",
            )
        assert "stopping everything" not in run.output()
    finally:
        status = run.stop()
        redis_server.stop()
    assert status == 0, run.output()[-3000:]
