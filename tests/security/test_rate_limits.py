"""Attack: flood the portal over the WebSocket, and brute-force tokens from one address.

Before: the per-token limit lived only in the HTTP view. Over the WebSocket the same token ran
700 operations in 0.9 s and kept submitting after HTTP said 429, and nothing limited invalid
tokens. Now one limiter charges every GraphQL operation to its caller's bucket
(core.graphql.ratelimit, a schema extension): HTTP requests, operations over
graphql-transport-ws and subscription starts share it. Invalid tokens are limited per client
address on every path that takes one (liaison.tokens.api_token_authenticate_from).

Against the real server (uvicorn, PostgreSQL, Redis), with small limits. Each test uses its own
token and its own client address (X-Forwarded-For from the trusted loopback proxy), so its
buckets start empty and their window (60 s from the first call) outlasts the test.
"""

from __future__ import annotations

import contextlib
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from core.ratelimit import bucket_key
from core.redis import get_redis
from liaison.models import ApiToken
from tests.conftest import Member, make_member
from tests.factories import OrganizationFactory
from tests.realthings import PortalServer, running_portal

pytestmark = pytest.mark.django_db(transaction=True)

LIMIT = 8
INVALID_TOKEN_LIMIT = 4
BURST = 40
PROTOCOL = "graphql-transport-ws"
VIEWER = "{ viewer { authenticated } }"
UPDATES = "subscription { legalRequestUpdates { id } }"


@pytest.fixture(scope="module")
def limited_server(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PortalServer]:
    with running_portal(
        tmp_path_factory.mktemp("ratelimit") / "uvicorn.log", env=limited_env()
    ) as server:
        yield server


def limited_env(**extra: str) -> dict[str, str]:
    return {
        "API_RATE_LIMIT_PER_MINUTE": str(LIMIT),
        "API_ANONYMOUS_RATE_LIMIT_PER_MINUTE": str(LIMIT),
        "API_INVALID_TOKEN_LIMIT_PER_MINUTE": str(INVALID_TOKEN_LIMIT),
        # The tests are their own proxy: each picks its client address by X-Forwarded-For.
        "TRUSTED_PROXIES": "127.0.0.1",
        **extra,
    }


def at_once(count: int, call: Callable[[int], int]) -> list[int]:
    """`call(n)` for n in range(count), all released together from `count` threads."""
    barrier = threading.Barrier(count)

    def released(n: int) -> int:
        barrier.wait(timeout=30)
        return call(n)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(released, range(count)))


def fresh_address() -> str:
    """A client address no other test (or earlier run) has used, its buckets cleared."""
    raw = uuid.uuid4().bytes
    address = f"198.18.{raw[0]}.{raw[1]}"
    for bucket in (f"ip:{address}", f"badtoken:{address}"):
        get_redis().delete(bucket_key(bucket))
    return address


def fresh_member() -> Member:
    member = make_member(OrganizationFactory())
    token = ApiToken.objects.get(prefix=member.token.split("_")[1])
    get_redis().delete(bucket_key(f"token:{token.pk}"))
    return member


def post(
    server: PortalServer, token: str | None, address: str, query: str = VIEWER
) -> httpx.Response:
    headers = {"X-Forwarded-For": address}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.post(f"{server.url}/graphql/", json={"query": query}, headers=headers, timeout=10)


class Socket:
    """One graphql-transport-ws connection, authenticated in connection_init."""

    def __init__(self, server: PortalServer, token: str, address: str) -> None:
        self._stack = contextlib.ExitStack()
        self.ws: ClientConnection = self._stack.enter_context(
            connect(
                f"ws://127.0.0.1:{server.port}/graphql/",
                subprotocols=[PROTOCOL],  # type: ignore[list-item]
                additional_headers={"X-Forwarded-For": address},
                max_queue=None,
                open_timeout=10,
            )
        )
        self.ws.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        )
        self.ack = json.loads(self.ws.recv(timeout=10))

    def start(self, op_id: str, query: str) -> None:
        self.ws.send(json.dumps({"id": op_id, "type": "subscribe", "payload": {"query": query}}))

    def first_answers(self, op_ids: set[str], timeout: float = 20) -> dict[str, dict[str, Any]]:
        """The first `next` or `error` message of each of `op_ids`."""
        answers: dict[str, dict[str, Any]] = {}
        while set(answers) != op_ids:
            message = json.loads(self.ws.recv(timeout=timeout))
            if message.get("id") in op_ids and message["type"] in ("next", "error"):
                answers.setdefault(message["id"], message)
        return answers

    def pong(self) -> bool:
        """The socket is still open and answering."""
        self.ws.send(json.dumps({"type": "ping"}))
        while True:
            if json.loads(self.ws.recv(timeout=10))["type"] == "pong":
                return True

    def close(self) -> None:
        self._stack.close()


def refused(message: dict[str, Any]) -> bool:
    return message["type"] == "error" and message["payload"][0]["extensions"]["code"] == (
        "RATE_LIMITED"
    )


def test_the_token_refused_over_http_is_refused_over_the_websocket(
    limited_server: PortalServer,
) -> None:
    member, address = fresh_member(), fresh_address()
    statuses = [post(limited_server, member.token, address).status_code for _ in range(LIMIT)]
    assert statuses == [200] * LIMIT
    over = post(limited_server, member.token, address)
    assert over.status_code == 429
    assert over.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert 0 < int(over.headers["Retry-After"]) <= 60

    socket = Socket(limited_server, member.token, address)
    try:
        assert socket.ack["type"] == "connection_ack"
        socket.start("q1", VIEWER)
        answer = socket.first_answers({"q1"})["q1"]
        assert refused(answer), answer
        assert "retry in" in answer["payload"][0]["message"]
        assert socket.pong()  # an error for the operation, not a dropped socket
    finally:
        socket.close()


def test_the_token_spent_over_the_websocket_gets_429_over_http(
    limited_server: PortalServer,
) -> None:
    member, address = fresh_member(), fresh_address()
    socket = Socket(limited_server, member.token, address)
    try:
        ids = {f"q{n}" for n in range(LIMIT)}
        for op_id in sorted(ids):
            socket.start(op_id, VIEWER)
        answers = socket.first_answers(ids)
        assert all(answer["type"] == "next" for answer in answers.values()), answers
    finally:
        socket.close()
    assert post(limited_server, member.token, address).status_code == 429


def test_a_websocket_client_flooding_operations_is_cut_at_the_limit(
    limited_server: PortalServer,
) -> None:
    member, address = fresh_member(), fresh_address()
    socket = Socket(limited_server, member.token, address)
    try:
        ids = {f"op{n}" for n in range(60)}
        for op_id in ids:  # as fast as the socket takes them, without waiting for answers
            socket.start(op_id, VIEWER)
        answers = socket.first_answers(ids)
        served = [a for a in answers.values() if a["type"] == "next"]
        refusals = [a for a in answers.values() if refused(a)]
        assert len(served) == LIMIT
        assert len(refusals) == len(ids) - LIMIT
        assert socket.pong()
    finally:
        socket.close()


def test_subscriptions_count_when_they_start(limited_server: PortalServer) -> None:
    member, address = fresh_member(), fresh_address()
    socket = Socket(limited_server, member.token, address)
    try:
        for n in range(LIMIT):
            socket.start(f"sub{n}", UPDATES)  # live, silent until a request changes
        socket.start("one-more", UPDATES)
        socket.start("query", VIEWER)
        answers = socket.first_answers({"one-more", "query"})
        assert refused(answers["one-more"]), answers
        assert refused(answers["query"]), answers
    finally:
        socket.close()
    assert post(limited_server, member.token, address).status_code == 429


def ws_init_close_code(server: PortalServer, token: str, address: str) -> int | None:
    """How the server answers connection_init: None for an ack, else the close code."""
    try:
        socket = Socket(server, token, address)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else -1
    socket.close()
    assert socket.ack["type"] == "connection_ack", socket.ack
    return None


def download(server: PortalServer, token: str, address: str) -> int:
    response = httpx.get(
        f"{server.url}/legal-documents/{uuid.uuid4()}",
        headers={"Authorization": f"Bearer {token}", "X-Forwarded-For": address},
        timeout=10,
    )
    return response.status_code


def test_a_burst_of_wrong_tokens_from_one_address_is_refused_on_every_path(
    limited_server: PortalServer,
) -> None:
    member, attacker, bystander = fresh_member(), fresh_address(), fresh_address()
    forged = member.token[:-4] + "AAAA"
    # Failures count per address whatever the path: HTTP, WebSocket, document download.
    assert post(limited_server, forged, attacker).status_code == 401
    assert post(limited_server, forged, attacker).status_code == 401
    assert ws_init_close_code(limited_server, forged, attacker) == 4403
    assert download(limited_server, forged, attacker) == 401
    # Over the limit: 429 before any token is looked at, the right one included.
    over = post(limited_server, forged, attacker)
    assert over.status_code == 429
    assert 0 < int(over.headers["Retry-After"]) <= 60
    assert "invalid API tokens" in over.json()["errors"][0]["message"]
    assert post(limited_server, member.token, attacker).status_code == 429
    assert ws_init_close_code(limited_server, member.token, attacker) == 4429
    assert download(limited_server, member.token, attacker) == 429
    # Another address is not affected.
    assert post(limited_server, member.token, bystander).status_code == 200
    assert ws_init_close_code(limited_server, member.token, bystander) is None
    assert download(limited_server, member.token, bystander) == 404


def test_wrong_tokens_sent_all_at_once_are_cut_at_the_limit(limited_server: PortalServer) -> None:
    """Before: the address's failures were checked only before the lookup, so a burst sent at
    once all passed the check (200 wrong tokens at once: 200 answered 401). Now the answer
    follows the count after the lookup: exactly the limit is answered 401."""
    member, attacker = fresh_member(), fresh_address()
    statuses = at_once(
        BURST, lambda n: post(limited_server, f"{member.token[:-4]}{n:04d}", attacker).status_code
    )
    assert sorted(statuses) == [401] * INVALID_TOKEN_LIMIT + [429] * (BURST - INVALID_TOKEN_LIMIT)
    assert post(limited_server, member.token, attacker).status_code == 429


def test_valid_tokens_sent_all_at_once_are_never_refused_for_each_other(
    limited_server: PortalServer,
) -> None:
    """An integration sending many requests at once from one address is not a guesser: none of
    them counts against the invalid-token limit (document downloads: no operation limit)."""
    member, address = fresh_member(), fresh_address()
    statuses = at_once(BURST, lambda n: download(limited_server, member.token, address))
    assert statuses == [404] * BURST
    forged = member.token[:-4] + "AAAA"
    statuses = [download(limited_server, forged, address) for _ in range(INVALID_TOKEN_LIMIT + 1)]
    assert statuses == [401] * INVALID_TOKEN_LIMIT + [429]


def test_a_burst_larger_than_the_redis_pool_does_not_open_the_limits(
    django_db_setup: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Before: past the pool's connections (redis-py's 100) a Redis call raised
    MaxConnectionsError at once, and the limits, which allow a call when Redis fails, let every
    operation beyond the pool's size through. Here the pool has 2 connections and 40 operations
    of one token arrive at once: exactly the limit is served."""
    log = tmp_path_factory.mktemp("ratelimit-pool") / "uvicorn.log"
    with running_portal(log, env=limited_env(REDIS_MAX_CONNECTIONS="2")) as server:
        member, address = fresh_member(), fresh_address()
        statuses = at_once(BURST, lambda n: post(server, member.token, address).status_code)
        assert sorted(statuses) == [200] * LIMIT + [429] * (BURST - LIMIT)
        assert "Redis unreachable" not in server.log_text()
