"""GraphQL over WebSocket: token in connection_init, staff by session, origin policy."""

from __future__ import annotations

from typing import Any

import pytest
from channels.testing.websocket import WebsocketCommunicator

from portal.asgi import application
from tests.conftest import Member

PROTOCOL = "graphql-transport-ws"
VIEWER = "{ viewer { authenticated organization { name } } }"


async def connect(headers: list[tuple[bytes, bytes]] | None = None) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(
        application, "/graphql/", subprotocols=[PROTOCOL], headers=headers or []
    )
    connected, subprotocol = await communicator.connect()
    assert connected
    assert subprotocol == PROTOCOL
    return communicator


async def query(communicator: WebsocketCommunicator, document: str) -> dict[str, Any]:
    await communicator.send_json_to(
        {"id": "1", "type": "subscribe", "payload": {"query": document}}
    )
    message = await communicator.receive_json_from(timeout=5)
    assert message["type"] == "next", message
    assert (await communicator.receive_json_from(timeout=5))["type"] == "complete"
    return message["payload"]


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_token_in_connection_init_authenticates(authority: Member) -> None:
    communicator = await connect()
    await communicator.send_json_to(
        {"type": "connection_init", "payload": {"authorization": f"Bearer {authority.token}"}}
    )
    assert (await communicator.receive_json_from(timeout=5))["type"] == "connection_ack"
    payload = await query(communicator, VIEWER)
    assert payload["data"]["viewer"] == {
        "authenticated": True,
        "organization": {"name": authority.organization.name},
    }
    await communicator.disconnect()


@pytest.mark.parametrize(
    "payload",
    [{"authorization": "Bearer lp_AAAAAAAA_forged"}, {"authorization": "Basic x"}, {}, None],
)
@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_bad_or_missing_token_is_rejected_before_ack(payload: Any) -> None:
    communicator = await connect()
    message: dict[str, Any] = {"type": "connection_init"}
    if payload is not None:
        message["payload"] = payload
    await communicator.send_json_to(message)
    output = await communicator.receive_output(timeout=5)
    assert output["type"] == "websocket.close"
    assert output["code"] == 4403
    # The client goes away, as a real one does: the consumer ends (left alone it would wait on
    # the channel layer until the event loop is torn down).
    await communicator.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_foreign_browser_origin_is_refused() -> None:
    communicator = WebsocketCommunicator(
        application,
        "/graphql/",
        subprotocols=[PROTOCOL],
        headers=[(b"origin", b"https://evil.example")],
    )
    connected, _ = await communicator.connect()
    assert not connected
    # Channels' denier stays subscribed to the channel layer until the client disconnects.
    await communicator.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_allowed_browser_origin_may_use_a_token(authority: Member) -> None:
    communicator = await connect(
        headers=[(b"origin", b"http://localhost:8000"), (b"host", b"localhost:8000")]
    )
    await communicator.send_json_to(
        {"type": "connection_init", "payload": {"authorization": f"Bearer {authority.token}"}}
    )
    assert (await communicator.receive_json_from(timeout=5))["type"] == "connection_ack"
    await communicator.disconnect()
