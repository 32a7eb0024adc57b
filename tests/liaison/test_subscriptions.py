"""legalRequestUpdates: live status changes, only ever of the viewer organization's requests."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing.websocket import WebsocketCommunicator

from core.actors import Actor
from liaison import review
from liaison.notifications import SUBSCRIPTION_MESSAGE_TYPE, organization_group
from portal.asgi import application
from tests.conftest import Member
from tests.liaison.conftest import route, submit

SUBSCRIBE = "subscription { legalRequestUpdates { reference status timeline { status } } }"


async def subscribe(member: Member) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(
        application, "/graphql/", subprotocols=["graphql-transport-ws"]
    )
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_json_to(
        {"type": "connection_init", "payload": {"authorization": f"Bearer {member.token}"}}
    )
    assert (await communicator.receive_json_from(timeout=5))["type"] == "connection_ack"
    group = organization_group(member.organization.pk)
    layer: Any = get_channel_layer()
    connection = layer.connection(layer.consistent_hash(group))
    await connection.delete(layer._group_key(group))  # no stale member from an earlier run
    await communicator.send_json_to(
        {"id": "updates", "type": "subscribe", "payload": {"query": SUBSCRIBE}}
    )
    await joined(group)
    return communicator


async def joined(group: str) -> None:
    """Wait until a subscription has joined its channels group (no sleep-and-hope)."""
    layer: Any = get_channel_layer()
    connection = layer.connection(layer.consistent_hash(group))
    for _ in range(250):
        if await connection.zcard(layer._group_key(group)):
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"nobody joined {group}")


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_updates_reach_the_own_organization_only(
    authority: Member, other_authority: Member, staff_one: Actor
) -> None:
    own = await subscribe(authority)
    other = await subscribe(other_authority)
    legal_request = await database_sync_to_async(lambda: route(submit(authority)))()
    message = await own.receive_json_from(timeout=5)
    assert message["type"] == "next", message
    update = message["payload"]["data"]["legalRequestUpdates"]
    assert update["reference"] == legal_request.reference
    assert update["status"] == "ROUTED"
    await database_sync_to_async(review.legal_request_start_review)(
        actor=staff_one, legal_request=legal_request
    )
    message = await own.receive_json_from(timeout=5)
    assert message["payload"]["data"]["legalRequestUpdates"]["status"] == "UNDER_REVIEW"
    assert await other.receive_nothing(timeout=0.5)
    await own.disconnect()
    await other.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_stray_message_for_another_tenant_is_never_yielded(
    authority: Member, other_authority: Member
) -> None:
    foreign = await database_sync_to_async(submit)(other_authority)
    own = await subscribe(authority)
    # Even if a message naming another organization's request reached this group, the
    # resolver re-reads it through the tenant-scoped selector and yields nothing.
    await get_channel_layer().group_send(
        organization_group(authority.organization.pk),
        {"type": SUBSCRIPTION_MESSAGE_TYPE, "legal_request_id": str(foreign.pk)},
    )
    assert await own.receive_nothing(timeout=0.5)
    await own.disconnect()
