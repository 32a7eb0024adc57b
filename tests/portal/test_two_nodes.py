"""Two portal nodes against one PostgreSQL and one Redis: nothing assumes one machine.

Each node is a process group of its own, as on its own machine: uvicorn on its own port, a
Celery worker with its own hostname and a beat. Against the one test database and one
redis-server:
- a hotline message sent through node A reaches a WebSocket subscriber on node B
  (channels-redis carries it);
- requests submitted on A while A's worker is stopped are routed by B's worker (the Celery
  broker carries them);
- periodic work runs once per period across both nodes, though both beats send it
  (core/periodic.py: the claim held for the period in Redis).

Known and left to issue 14's hotline work: an idle WebSocket consumer is closed by the server
after about 5 s, because channels-redis waits for the next message with `BZPOPMIN ... 5` and
redis-py 8's default socket timeout is also 5 s (the read times out, the consumer dies). Raising
the socket timeout (or lowering channels-redis's `brpop_timeout`) fixes the close, but then
tests/portal/test_websocket.py hangs in the teardown of a rejected connection (a consumer that
survives cancellation, which the timeout used to end): both need fixing together.

Slow (about a minute: six processes start on the test machine's cores): marked `two_nodes`
(and `reliability`); `-m "not two_nodes"` leaves it out.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from websockets.sync.client import connect

from liaison.models import LegalRequest, RequestStatus
from tests.conftest import Member, make_member
from tests.factories import NgoFactory
from tests.fixtures import policy  # noqa: F401 - the routing policy fixture
from tests.hotline.chatkit import CONVERSATIONS, SEND, SUBSCRIBE
from tests.liaison.test_submit import SUBMIT, valid_input
from tests.realthings import (
    ROOT,
    PortalServer,
    Worker,
    running_portal,
    wait_for,
    worker_database_url,
)

pytestmark = [
    pytest.mark.two_nodes,
    pytest.mark.reliability,
    pytest.mark.django_db(transaction=True),
]
PERIOD = 2.0  # the sweep's period on both nodes
NODE_ENV = {
    "CELERY_TASK_ALWAYS_EAGER": "0",  # the web processes publish; only workers route
    "SWITCHBOARD_SWEEP_SECONDS": str(PERIOD),
    "HEALTH_BACKGROUND_CHECKS": "0",
    "CELERY_SKIP_CHECKS": "1",
}


class Beat:
    """`celery -A portal beat` of one node (the settings' scheduler, as `make run` starts it)."""

    def __init__(self, redis_url: str, log: Path) -> None:
        self.log = log
        env = {
            **os.environ,
            **NODE_ENV,
            "DATABASE_URL": worker_database_url(),
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": redis_url,
            "PYTHONPATH": str(ROOT),
        }
        env.pop("TEST_DB_NAME", None)
        self._output = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "beat", "-l", "INFO",
             "--max-interval", "1"],
            cwd=ROOT, env=env, stdout=self._output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self._output.close()


@pytest.fixture
def shared_redis() -> str:
    """The one Redis of both nodes: the test Redis (the periodic claims start fresh)."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter("liaison:periodic:*"):
        client.delete(key)
    return settings.REDIS_URL


def post_graphql(
    server: PortalServer, query: str, variables: dict[str, Any], token: str
) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 - the test's own server
        f"{server.url}/graphql/",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
        payload: dict[str, Any] = json.loads(response.read())
    assert "errors" not in payload, payload
    return payload["data"]


def subscribe_on(server: PortalServer, token: str, conversation_id: str, after_seq: int) -> Any:
    socket = connect(
        f"ws://127.0.0.1:{server.port}/graphql/",
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        open_timeout=20,
    )
    socket.send(
        json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
    )
    assert json.loads(socket.recv(timeout=20))["type"] == "connection_ack"
    socket.send(
        json.dumps(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {
                    "query": SUBSCRIBE,
                    "variables": {"id": conversation_id, "after": after_seq},
                },
            }
        )
    )
    return socket


LOG_LINE = re.compile(
    r"^\[(?P<at>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}): .*periodic sweep: (?P<what>claimed|skipped)"
)


def sweep_runs(*logs: Path) -> tuple[list[datetime], int]:
    """When the sweep ran (claimed its period), on any node, and how many sends were skipped."""
    claimed, skipped = [], 0
    for log in logs:
        for line in log.read_text(errors="replace").splitlines():
            match = LOG_LINE.match(line)
            if match is None:
                continue
            if match["what"] == "claimed":
                claimed.append(datetime.strptime(match["at"], "%Y-%m-%d %H:%M:%S,%f"))  # noqa: DTZ007 - one clock
            else:
                skipped += 1
    return sorted(claimed), skipped


def test_two_nodes_share_the_queues_and_the_periodic_work(
    shared_redis: str,
    tmp_path: Path,
    policy: None,  # noqa: F811
) -> None:
    authority: Member = make_member()
    node_env = {**NODE_ENV, "REDIS_URL": shared_redis, "CELERY_BROKER_URL": shared_redis}
    workers = {
        name: Worker(
            shared_redis,
            tmp_path / f"worker-{name}.log",
            extra_env=NODE_ENV,
            hostname=f"node-{name}@%h",
        )
        for name in ("a", "b")
    }
    beats: list[Beat] = []
    with contextlib.ExitStack() as stack:
        web_a = stack.enter_context(running_portal(tmp_path / "web-a.log", env=node_env))
        stack.enter_context(running_portal(tmp_path / "web-b.log", env=node_env))
        for worker in workers.values():
            worker.start()
            stack.callback(worker.stop)
        for name in ("a", "b"):
            beat = Beat(shared_redis, tmp_path / f"beat-{name}.log")
            beats.append(beat)
            stack.callback(beat.stop)
        beats_started = time.monotonic()

        # 2. With A's worker stopped, requests submitted on A are routed by B's worker.
        workers["a"].stop()
        ids = []
        for n in range(5):
            result = post_graphql(
                web_a,
                SUBMIT,
                {"input": valid_input(reference=f"AZ-two-nodes-{n}")},
                authority.token,
            )["submitLegalRequest"]
            assert result["__typename"] == "LegalRequest", result
            ids.append(result["id"])
        references = [f"AZ-two-nodes-{n}" for n in range(5)]

        def all_routed() -> bool:
            routed = LegalRequest.objects.filter(
                reference__in=references, status=RequestStatus.ROUTED
            )
            return routed.count() == len(references)

        wait_for(all_routed, 30, "node B's worker to route what node A accepted")
        b_log = workers["b"].log.read_text(errors="replace")
        assert b_log.count("deliver_outbox_event_task[") >= len(references)

        # 3. Both beats send the sweep every PERIOD; it runs once per period across the nodes.
        wait_for(lambda: time.monotonic() - beats_started > 8 * PERIOD, 30, "a few periods", 0.2)
        for beat in beats:
            beat.stop()

    for beat in beats:
        assert "Sending due task switchboard-sweep" in beat.log.read_text(errors="replace")
    runs, skipped = sweep_runs(workers["a"].log, workers["b"].log)
    assert len(runs) >= 3, runs
    assert skipped >= 1, "only one beat sent the sweep"
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(runs)]
    # Never twice in one period (0.9 x the period, less the logs' clock resolution).
    assert min(gaps) >= 0.9 * PERIOD - 0.05, (runs, gaps)


def test_a_hotline_message_sent_through_one_node_reaches_a_subscriber_on_the_other(
    shared_redis: str, tmp_path: Path
) -> None:
    ngo = make_member(NgoFactory())
    node_env = {**NODE_ENV, "REDIS_URL": shared_redis, "CELERY_BROKER_URL": shared_redis}
    with contextlib.ExitStack() as stack:
        web_a = stack.enter_context(running_portal(tmp_path / "web-a.log", env=node_env))
        web_b = stack.enter_context(running_portal(tmp_path / "web-b.log", env=node_env))
        # A hotline message sent through A reaches a subscriber on B.
        line = post_graphql(web_b, CONVERSATIONS, {}, ngo.token)["hotlineConversations"][0]

        def send_on_a(body: str) -> None:
            message_input = {
                "conversationId": line["id"],
                "body": body,
                "clientMessageId": body.replace(" ", "-"),
            }
            sent = post_graphql(web_a, SEND, {"input": message_input}, ngo.token)
            assert sent["sendHotlineMessage"].get("body") == body, sent

        def received_on_b() -> str:
            pushed = json.loads(subscriber.recv(timeout=15))
            assert pushed["type"] == "next", pushed
            return str(pushed["payload"]["data"]["hotlineMessages"]["body"])

        # Node A's first request is slow (imports); B's subscriber should not wait idle for it:
        # an idle consumer dies after ~5 s (see the note in this module's docstring).
        send_on_a("warm up")
        subscriber = subscribe_on(web_b, ngo.token, line["id"], after_seq=line["lastSeq"])
        stack.callback(subscriber.close)
        # The first may come from B's replay (if it was committed before B listened); the
        # second comes live, through Redis, from node A's process to node B's.
        assert received_on_b() == "warm up"
        send_on_a("from node A")
        assert received_on_b() == "from node A"
