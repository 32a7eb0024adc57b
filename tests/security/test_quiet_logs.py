"""Cosmetics that leak (issue 9, item 12): what a client's mistakes do to the server's log, and
what reaches the client.

Before: a client's enum typo or a "not found" logged a full traceback (7 to 55 lines each); a
bad `after:` cursor was masked as "Unexpected error." with a 38-line traceback; every idle
WebSocket died after 5 s with a redis TimeoutError traceback (redis-py 8 reads with a 5 s socket
timeout, channels-redis blocks 5 s in BZPOPMIN), and operations still running when a client
closed logged a ClientDisconnected traceback each (~30 lines); Django's "“%(value)s” is not a
valid UUID." reached clients unformatted (graphql-core takes `.message`, the template).
Now the schema's `process_errors` (core.graphql.security.HardenedSchema) applies the params and
logs one line per client error, a traceback only for unexpected ones; the channel layer reads
with a timeout longer than its blocking pop; the consumer sends nothing into a closed socket.

Against the real server; its log is the uvicorn process's output (running_portal's log file).
"""

from __future__ import annotations

import base64
import json
import logging
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from liaison import selectors
from liaison.models import LegalRequest
from tests.conftest import Member, make_member
from tests.factories import OrganizationFactory
from tests.realthings import PortalServer, running_portal, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

PROTOCOL = "graphql-transport-ws"
# uvicorn's own lines for each request and socket: not the portal's to count.
UVICORN_LINE = re.compile(r'^INFO: +(\S+ - "|connection open|connection closed)')
NOISE = re.compile(r"Traceback|Unexpected ASGI message|Exception in|TimeoutError|ERROR")


@pytest.fixture(scope="module")
def server(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PortalServer]:
    with running_portal(tmp_path_factory.mktemp("quiet") / "uvicorn.log") as portal:
        yield portal


@pytest.fixture
def member(db: Any) -> Member:
    return make_member(OrganizationFactory())


class LogWindow:
    """The server's log lines written since it was opened (uvicorn's access lines left out)."""

    def __init__(self, server: PortalServer) -> None:
        self.server = server
        self.start = len(server.log_text())

    def lines(self) -> list[str]:
        text = self.server.log_text()[self.start :]
        return [line for line in text.splitlines() if line and not UVICORN_LINE.match(line)]

    def settled(self) -> list[str]:
        """The lines once the log has stopped growing for half a second."""
        sizes: list[int] = []

        def still() -> bool:
            sizes.append(len(self.server.log_text()))
            return len(sizes) > 5 and len(set(sizes[-6:])) == 1

        wait_for(still, 20, "the server log to settle", interval=0.1)
        return self.lines()


def post(server: PortalServer, member: Member, query: str) -> dict[str, Any]:
    response = httpx.post(
        f"{server.url}/graphql/",
        json={"query": query},
        headers={"Authorization": f"Bearer {member.token}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "mutation { submitLegalRequest(input: {kind: DATA_DISCLOSUR, category: FRAUD, "
            'reference: "r", legalBasis: "x", jurisdiction: "DE", summary: "s", targets: []}) '
            "{ __typename } }",
            "Value 'DATA_DISCLOSUR' does not exist in 'RequestKind' enum",
        ),
        (
            f'{{ hotlineMessages(conversationId: "{b64("HotlineConversation:999999")}") {{ id }} }}',
            "No hotline conversation with this id.",
        ),
        (
            '{ legalRequests(first: 2, after: "garbage") { totalCount } }',
            "Argument 'after' is not a cursor of this list",
        ),
        (
            f'{{ legalRequests(first: 2, after: "{b64("arrayconnection:abc")}") {{ totalCount }} }}',
            "Argument 'after' is not a cursor of this list",
        ),
    ],
    ids=["enum-typo", "not-found", "cursor-not-base64", "cursor-not-an-offset"],
)
def test_a_clients_mistake_is_a_clear_error_and_one_log_line(
    server: PortalServer, member: Member, query: str, expected: str
) -> None:
    log = LogWindow(server)
    body = post(server, member, query)
    message = body["errors"][0]["message"]
    assert message.startswith(expected), message
    assert message != "Unexpected error."
    lines = log.settled()
    assert len(lines) == 1, lines
    assert lines[0].startswith("graphql: ")
    assert expected in lines[0]


NOT_A_UUID = b64("LegalRequest:not-a-uuid")


@pytest.mark.parametrize(
    "query",
    [
        f'{{ legalRequest(id: "{NOT_A_UUID}") {{ id }} }}',
        '{ legalRequest(id: "not-a-uuid") { id } }',
        f'{{ node(id: "{NOT_A_UUID}") {{ id }} }}',
        f'{{ disclosurePackage(requestId: "{NOT_A_UUID}") {{ requestId }} }}',
        f'mutation {{ withdrawLegalRequest(id: "{NOT_A_UUID}") {{ __typename '
        "... on OperationInfo { messages { field code message } } } }",
        f'mutation {{ answerClarification(id: "{NOT_A_UUID}", answer: "a") {{ __typename '
        "... on OperationInfo { messages { field code message } } } }",
        "mutation { submitLegalRequest(input: {kind: DATA_DISCLOSURE, category: FRAUD, "
        'reference: "r", legalBasis: "18 U.S.C. 2703(d)", jurisdiction: "US", summary: "s", '
        'targets: [{kind: USERNAME, value: "bob_the_builder"}], dataCategories: [IP_ADDRESSES], '
        f'preservationId: "{NOT_A_UUID}"}}) {{ __typename '
        "... on OperationInfo { messages { field code message } } } }",
    ],
    ids=[
        "legalRequest",
        "raw-id",
        "node",
        "disclosurePackage",
        "withdraw",
        "answer",
        "preservation",
    ],
)
def test_an_id_that_is_not_a_uuid_is_not_found_on_every_path(
    server: PortalServer, member: Member, query: str
) -> None:
    """Every argument that names a request by id, with a payload that is no UUID: "not found"
    (null, or OperationInfo `not_found`), never Django's "“%(value)s” is not a valid UUID." or
    a masked error. The ids are parsed before any query (core.graphql.ids.uuid_pk, the
    selectors' `_uuid_or_none`); HardenedSchema formats the message wherever one still slips
    through (test_django_validation_messages_reach_clients_formatted)."""
    log = LogWindow(server)
    body = post(server, member, query)
    assert "errors" not in body, body
    assert "UUID" not in json.dumps(body)
    (answer,) = body["data"].values()
    assert answer is None or [m["code"] for m in answer["messages"]] == ["not_found"], answer
    assert not [line for line in log.settled() if NOISE.search(line)]


def test_an_idle_websocket_stays_open(server: PortalServer, member: Member) -> None:
    log = LogWindow(server)
    with connect(
        f"ws://127.0.0.1:{server.port}/graphql/",
        subprotocols=[PROTOCOL],  # type: ignore[list-item]
        open_timeout=10,
    ) as socket:
        socket.send(
            json.dumps(
                {"type": "connection_init", "payload": {"authorization": f"Bearer {member.token}"}}
            )
        )
        assert json.loads(socket.recv(timeout=10))["type"] == "connection_ack"
        socket.send(
            json.dumps(
                {
                    "id": "updates",
                    "type": "subscribe",
                    "payload": {"query": "subscription { legalRequestUpdates { id } }"},
                }
            )
        )
        # Real idle time, past channels-redis's 5 s blocking pop: the socket timeout is the
        # thing under test, it cannot be injected.
        time.sleep(7)
        socket.send(json.dumps({"type": "ping"}))
        assert json.loads(socket.recv(timeout=10))["type"] == "pong"
    assert log.settled() == []


def test_closing_a_websocket_with_operations_in_flight_logs_nothing(
    server: PortalServer, member: Member
) -> None:
    log = LogWindow(server)
    with connect(
        f"ws://127.0.0.1:{server.port}/graphql/",
        subprotocols=[PROTOCOL],  # type: ignore[list-item]
        open_timeout=10,
    ) as socket:
        socket.send(
            json.dumps(
                {"type": "connection_init", "payload": {"authorization": f"Bearer {member.token}"}}
            )
        )
        assert json.loads(socket.recv(timeout=10))["type"] == "connection_ack"
        for n in range(20):
            payload = {"query": "{ legalRequests(first: 5) { totalCount } }"}
            socket.send(json.dumps({"id": str(n), "type": "subscribe", "payload": payload}))
    # ...and a connection the server refuses (it closes, the client closes too).
    with connect(
        f"ws://127.0.0.1:{server.port}/graphql/",
        subprotocols=[PROTOCOL],  # type: ignore[list-item]
        open_timeout=10,
    ) as refused:
        refused.send(
            json.dumps(
                {"type": "connection_init", "payload": {"authorization": "Bearer lp_AAAAAAAA_x"}}
            )
        )
        with pytest.raises(Exception, match="4403"):
            refused.recv(timeout=10)
    wait_for(
        lambda: server.log_text()[log.start :].count("connection closed") >= 2,
        20,
        "both sockets to close",
    )
    lines = log.settled()
    assert not [line for line in lines if NOISE.search(line)], lines
    assert len(lines) == 0, lines


def test_django_validation_messages_reach_clients_formatted(
    gql: Any, authority: Member, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Any resolver that hands the ORM a value that is not a UUID: Django's ValidationError has
    the value in its params; the client reads the sentence with the value in it."""

    def bad_lookup(**kwargs: Any) -> Any:
        return list(LegalRequest.objects.filter(pk="not-a-uuid"))

    monkeypatch.setattr(selectors, "legal_request_list", bad_lookup)
    caplog.set_level(logging.INFO, logger="core.graphql.security")
    body = gql("{ legalRequests(first: 1) { totalCount } }", token=authority.token)
    message = body["errors"][0]["message"]
    assert "%(value)s" not in message
    assert "not-a-uuid" in message
    assert "is not a valid UUID" in message
    records = [r for r in caplog.records if r.name == "core.graphql.security"]
    assert len(records) == 1
    assert records[0].exc_info is None


def test_an_unexpected_error_still_logs_its_traceback(
    gql: Any, authority: Member, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def explode(**kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(selectors, "legal_request_list", explode)
    caplog.set_level(logging.INFO, logger="core.graphql.security")
    body = gql("{ legalRequests(first: 1) { totalCount } }", token=authority.token)
    assert body["errors"][0]["message"] == "Unexpected error."
    records = [r for r in caplog.records if r.name == "core.graphql.security"]
    assert len(records) == 1
    assert records[0].levelno == logging.ERROR
    assert records[0].exc_info is not None
    assert records[0].exc_info[0] is RuntimeError
