"""What one message costs each subscriber of a busy conversation (issue 14, the hot room): no
SQL query per subscriber, whatever order the web processes publish in. Real channels-redis
pub/sub layer, subscribers over graphql-transport-ws against the real ASGI application; the
statements are counted on every database thread of the process."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.db.backends.utils import CursorWrapper
from graphql.execution import executor

from hotline import events
from hotline.records import MessageView
from tests.conftest import Member
from tests.hotline.chatkit import CONVERSATIONS, ChatClient

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


async def main_line(member: Member) -> str:
    client = await ChatClient.connect(member.token)
    payload = await client.execute(CONVERSATIONS)
    await client.close()
    return str(payload["data"]["hotlineConversations"][0]["id"])


class Statements:
    """The SQL statements run on any thread (any connection) while counting."""

    def __init__(self) -> None:
        self.sql: list[str] = []
        self._lock = threading.Lock()

    def add(self, sql: str) -> None:
        with self._lock:
            self.sql.append(sql)


@contextmanager
def statements() -> Iterator[Statements]:
    seen = Statements()
    original = getattr(CursorWrapper, "_execute_with_wrappers")  # noqa: B009 - private

    def counted(self: CursorWrapper, sql: str, *args: Any, **kwargs: Any) -> Any:
        seen.add(sql)
        return original(self, sql, *args, **kwargs)

    with mock.patch.object(CursorWrapper, "_execute_with_wrappers", counted):
        yield seen


async def _subscribers(member: Member, conversation: str, count: int) -> list[Any]:
    subscribed = []
    for _ in range(count):
        client = await ChatClient.connect(member.token)
        subscribed.append((client, await client.subscribe(conversation, after_seq=0)))
    # Live: one message through the room reaches everyone (the stream's set-up queries done).
    sender = subscribed[0][0]
    await sender.send(conversation, "warm-up", "warm-up")
    for client, op in subscribed:
        assert (await client.next_message(op))["body"] == "warm-up"
    return subscribed


async def _sent_unpublished(member: Member, conversation: str, bodies: list[str]) -> list[Any]:
    """Messages committed whose broadcasts are held back (published by the test, in its order)."""
    held: list[MessageView] = []
    client = await ChatClient.connect(member.token)
    with mock.patch.object(
        events, "message_broadcast_on_commit", lambda *, message: held.append(message)
    ):
        for body in bodies:
            await client.send(conversation, body, body)
    await client.close()
    return held


async def _publish(messages: list[MessageView]) -> None:
    for message in messages:
        await asyncio.to_thread(events.message_broadcast, message=message)


async def _deliveries(subscribed: list[Any], count: int) -> list[list[int]]:
    return [
        [(await client.next_message(op))["seq"] for _ in range(count)] for client, op in subscribed
    ]


@pytest.mark.parametrize("subscribers", [2, 8])
async def test_a_message_reaches_every_subscriber_with_no_query(
    ngo: Member, subscribers: int
) -> None:
    conversation = await main_line(ngo)
    subscribed = await _subscribers(ngo, conversation, subscribers)
    held = await _sent_unpublished(ngo, conversation, ["one"])
    with statements() as seen:
        await _publish(held)
        assert await _deliveries(subscribed, 1) == [[2]] * subscribers
    assert seen.sql == []
    for client, _ in subscribed:
        await client.close()


@pytest.mark.parametrize("subscribers", [2, 8])
async def test_messages_published_out_of_seq_order_cost_no_query_per_subscriber(
    ngo: Member, subscribers: int
) -> None:
    """Two web processes (or two database threads of one) commit seq 2 then 3 and publish 3
    first: every subscriber waits briefly for 2 instead of each backfilling it from the
    database."""
    conversation = await main_line(ngo)
    subscribed = await _subscribers(ngo, conversation, subscribers)
    second, third = await _sent_unpublished(ngo, conversation, ["two", "three"])
    with statements() as seen:
        await _publish([third, second])
        assert await _deliveries(subscribed, 2) == [[2, 3]] * subscribers
    assert seen.sql == []
    for client, op in subscribed:
        await client.assert_nothing(op, 0.2)
        await client.close()


@pytest.mark.parametrize("subscribers", [2, 8])
async def test_a_message_lost_in_transit_is_backfilled_once_for_all_subscribers(
    ngo: Member, subscribers: int
) -> None:
    """Seq 2 is never published (channels-redis dropped it): one query fills it in for every
    subscriber of the process."""
    conversation = await main_line(ngo)
    subscribed = await _subscribers(ngo, conversation, subscribers)
    _, after = await _sent_unpublished(ngo, conversation, ["lost", "after"])
    with statements() as seen:
        await _publish([after])
        received = [
            [(m["seq"], m["body"]) for m in [await c.next_message(op) for _ in range(2)]]
            for c, op in subscribed
        ]
    assert received == [[(2, "lost"), (3, "after")]] * subscribers
    assert len(seen.sql) == 1, seen.sql
    for client, op in subscribed:
        await client.assert_nothing(op, 0.2)
        await client.close()


async def test_a_subscription_collects_its_selection_once_not_per_message(ngo: Member) -> None:
    """graphql-core memoized the message's sub-fields on a list that is new for every event:
    each subscriber collected them again per message, and kept one memo entry per message."""
    conversation = await main_line(ngo)
    subscribed = await _subscribers(ngo, conversation, 2)
    held = await _sent_unpublished(ngo, conversation, ["one", "two", "three"])
    with mock.patch.object(
        executor, "collect_subfields", side_effect=executor.collect_subfields
    ) as collect:
        await _publish(held)
        assert await _deliveries(subscribed, 3) == [[2, 3, 4]] * 2
    assert collect.call_count == 0
    for client, _ in subscribed:
        await client.close()
