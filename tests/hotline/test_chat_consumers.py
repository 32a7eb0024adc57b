"""The hotline chat over graphql-transport-ws with the REAL channels-redis layers: ordering,
replay after reconnect, idempotent sends, tenancy, limits, urgent reports, gap backfill."""

from __future__ import annotations

import asyncio
import threading
from typing import Any
from unittest import mock

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.test import Client

from core.redis import get_redis
from core.staff import StaffProfile
from hotline import events, services
from hotline.models import Conversation, Message
from liaison.models import LegalRequest, Membership
from switchboard.models import Ticket
from tests.conftest import Member, make_member
from tests.factories import NgoFactory, StaffUserFactory
from tests.hotline.chatkit import CONVERSATIONS, HISTORY, ChatClient
from tests.signin import sign_in_staff

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]
NOT_FOUND = "No hotline conversation with this id."


@pytest.fixture(autouse=True)
def _in_memory_channel_layer(settings: Any) -> None:
    """Overrides the switchboard tests' in-memory layer: these tests use real Redis."""
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [settings.REDIS_URL]},
        }
    }


@pytest.fixture(autouse=True)
def _fresh_chat_limits() -> None:
    client = get_redis()
    for key in client.scan_iter("liaison:rl:hotline:*"):
        client.delete(key)


async def main_line(member: Member) -> str:
    client = await ChatClient.connect(member.token)
    try:
        payload = await client.execute(CONVERSATIONS)
    finally:
        await client.close()
    conversations = payload["data"]["hotlineConversations"]
    assert conversations[0]["isMainLine"]
    return conversations[0]["id"]


async def test_messages_from_concurrent_senders_arrive_once_in_seq_order(ngo: Member) -> None:
    others = [await database_sync_to_async(make_member)(ngo.organization) for _ in range(2)]
    conversation = await main_line(ngo)
    watcher = await ChatClient.connect(ngo.token)
    op = await watcher.subscribe(conversation, after_seq=0)
    senders = [await ChatClient.connect(m.token) for m in (ngo, *others)]

    async def burst(index: int, client: ChatClient) -> None:
        for n in range(10):
            await client.send(conversation, f"sender {index} message {n}", f"s{index}-{n}")

    await asyncio.gather(*(burst(i, c) for i, c in enumerate(senders)))
    received = [await watcher.next_message(op) for _ in range(30)]
    assert [m["seq"] for m in received] == list(range(1, 31))
    assert sorted(m["body"] for m in received) == sorted(
        f"sender {i} message {n}" for i in range(3) for n in range(10)
    )
    for i in range(3):  # each sender's own messages keep their order
        mine = [m["body"] for m in received if m["body"].startswith(f"sender {i} ")]
        assert mine == [f"sender {i} message {n}" for n in range(10)]
    await watcher.assert_nothing(op, 0.5)  # nothing twice
    for client in (watcher, *senders):
        await client.close()


async def test_reconnect_with_after_seq_replays_what_was_missed_then_goes_live(
    ngo: Member,
) -> None:
    conversation = await main_line(ngo)
    sender = await ChatClient.connect(ngo.token)
    watcher = await ChatClient.connect(ngo.token)
    op = await watcher.subscribe(conversation, after_seq=0)
    for n in range(1, 4):
        await sender.send(conversation, f"m{n}", f"m{n}")
    assert [(await watcher.next_message(op))["seq"] for _ in range(3)] == [1, 2, 3]
    await watcher.close()  # the connection drops

    for n in range(4, 8):
        await sender.send(conversation, f"m{n}", f"m{n}")
    watcher = await ChatClient.connect(ngo.token)
    op = await watcher.subscribe(conversation, after_seq=3)
    replayed = [await watcher.next_message(op) for _ in range(4)]
    assert [m["body"] for m in replayed] == ["m4", "m5", "m6", "m7"]
    await sender.send(conversation, "m8", "m8")
    live = await watcher.next_message(op)
    assert (live["seq"], live["body"]) == (8, "m8")
    await watcher.assert_nothing(op, 0.5)

    history = await watcher.execute(HISTORY, {"id": conversation, "after": 5, "first": 2})
    assert [m["seq"] for m in history["data"]["hotlineMessages"]] == [6, 7]
    await watcher.close()
    await sender.close()


async def test_hand_over_from_replay_to_live_has_no_gap_or_duplicate(ngo: Member) -> None:
    """Messages keep arriving while subscribers join: each sees every seq exactly once."""
    conversation = await main_line(ngo)
    sender = await ChatClient.connect(ngo.token)
    stop = asyncio.Event()

    async def keep_sending() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            await sender.send(conversation, f"flow {n}", f"flow-{n}")

    flow = asyncio.create_task(keep_sending())
    watchers = []
    for _ in range(4):
        await asyncio.sleep(0.05)
        watcher = await ChatClient.connect(ngo.token)
        watchers.append((watcher, await watcher.subscribe(conversation, after_seq=0)))
    await asyncio.sleep(0.2)
    stop.set()
    await flow
    last = await database_sync_to_async(
        lambda: (
            Conversation.objects.get(pk=int(Message.objects.latest("id").conversation_id)).last_seq
        )
    )()
    for watcher, op in watchers:
        seqs = [(await watcher.next_message(op))["seq"] for _ in range(last)]
        assert seqs == list(range(1, last + 1))
        await watcher.assert_nothing(op, 0.3)
        await watcher.close()
    await sender.close()


async def test_a_retried_send_returns_the_first_message(ngo: Member) -> None:
    conversation = await main_line(ngo)
    client = await ChatClient.connect(ngo.token)
    op = await client.subscribe(conversation, after_seq=0)
    first = await client.send(conversation, "Are you there?", "retry-1")
    again = await client.send(conversation, "Are you there?", "retry-1")
    assert again["id"] == first["id"]
    assert again["seq"] == first["seq"] == 1
    assert (await client.next_message(op))["id"] == first["id"]
    await client.assert_nothing(op, 0.5)
    assert await database_sync_to_async(Message.objects.count)() == 1
    await client.close()


async def _refusals(member: Member, conversation_id: str) -> tuple[Any, Any, Any]:
    client = await ChatClient.connect(member.token)
    op = await client.subscribe(conversation_id, after_seq=0)
    subscribed = await client.receive(op)
    history = await client.execute(HISTORY, {"id": conversation_id})
    sent = await client.send(conversation_id, "hello", "probe-1")
    await client.close()
    return subscribed, history, sent


async def test_another_organizations_conversation_looks_missing(ngo: Member) -> None:
    intruder = await database_sync_to_async(make_member)(await database_sync_to_async(NgoFactory)())
    theirs = await main_line(ngo)
    missing = "SG90bGluZUNvbnZlcnNhdGlvbjo5OTk5OTk5"  # HotlineConversation:9999999
    foreign = await _refusals(intruder, theirs)
    absent = await _refusals(intruder, missing)
    for subscribed, history, sent in (foreign, absent):
        assert subscribed["payload"]["errors"][0]["message"] == NOT_FOUND
        assert history["errors"][0]["message"] == NOT_FOUND
        assert history["data"] is None
        assert sent["messages"] == [
            {
                "kind": "VALIDATION",
                "field": "conversationId",
                "message": NOT_FOUND,
                "code": "not_found",
            }
        ]
    assert foreign[0]["payload"] == absent[0]["payload"]
    assert await database_sync_to_async(Message.objects.count)() == 0


async def test_membership_is_rechecked_on_every_subscribe_and_send(ngo: Member) -> None:
    conversation = await main_line(ngo)
    client = await ChatClient.connect(ngo.token)  # authenticated while still a member
    await client.send(conversation, "before", "before")
    await database_sync_to_async(
        lambda: Membership.objects.filter(pk=ngo.membership.pk).update(is_active=False)
    )()
    op = await client.subscribe(conversation, after_seq=0)
    assert (await client.receive(op))["payload"]["errors"][0]["message"] == NOT_FOUND
    sent = await client.send(conversation, "after", "after")
    assert sent["messages"][0]["code"] == "not_found"
    await client.close()


async def test_body_limit_and_rate_limit_are_clear_field_errors(ngo: Member, settings: Any) -> None:
    settings.HOTLINE_MESSAGES_PER_MINUTE = 3
    conversation = await main_line(ngo)
    client = await ChatClient.connect(ngo.token)
    too_big = await client.send(conversation, "é" * 4097, "big")  # 8,194 bytes
    assert too_big["messages"][0]["field"] == "body"
    assert too_big["messages"][0]["code"] == "max_length"
    assert "8 KB" in too_big["messages"][0]["message"]
    assert (await client.send(conversation, "x" * 8192, "exactly-8k"))["seq"] == 1
    assert (await client.send(conversation, "two", "two"))["seq"] == 2
    assert (await client.send(conversation, "three", "three"))["seq"] == 3
    limited = await client.send(conversation, "four", "four")
    assert limited["messages"][0]["code"] == "rate_limited"
    assert limited["messages"][0]["field"] == "body"
    assert "3 messages a minute" in limited["messages"][0]["message"]
    # A retry of an accepted message still answers (it is not a new message).
    assert (await client.send(conversation, "three", "three"))["seq"] == 3
    await client.close()


async def test_an_urgent_message_becomes_a_routed_moderation_notice(
    policy: None, ngo: Member
) -> None:
    conversation = await main_line(ngo)
    client = await ChatClient.connect(ngo.token)
    op = await client.subscribe(conversation, after_seq=0)
    sent = await client.send(
        conversation,
        "Livestream of abuse right now: https://t.me/bad_channel/4242 please act",
        "urgent-1",
        urgent=True,
        report={"category": "CHILD_SAFETY"},
    )
    assert sent["urgent"] is True
    assert sent["report"]["category"] == "CHILD_SAFETY"
    urgent = await client.next_message(op)
    assert urgent["id"] == sent["id"]
    # Routing ran on commit (the task body, in-process): the switchboard's notice follows.
    notice = await client.next_message(op)
    assert notice["kind"] == "SYSTEM"
    assert notice["seq"] == urgent["seq"] + 1
    assert notice["report"]["desk"]
    assert notice["report"]["requestId"] == sent["report"]["requestId"]

    def routed() -> tuple[LegalRequest, Ticket]:
        legal_request = LegalRequest.objects.get()
        return legal_request, Ticket.objects.select_related("team").get(legal_request=legal_request)

    legal_request, ticket = await database_sync_to_async(routed)()
    assert legal_request.kind == "MODERATION_NOTICE"
    assert legal_request.category == "CHILD_SAFETY"
    assert legal_request.organization_id == ngo.organization.pk
    assert legal_request.status == "ROUTED"
    assert ticket.clock.total_seconds() == 3600
    assert [
        t.value for t in await database_sync_to_async(lambda: list(legal_request.targets.all()))()
    ] == ["https://t.me/bad_channel/4242"]
    assert notice["report"]["desk"] == ticket.team.desk_name
    overview = await client.execute(CONVERSATIONS)
    report = overview["data"]["hotlineConversations"][0]["reports"][0]
    assert report["desk"] == ticket.team.desk_name
    assert report["dueAt"] is not None
    # The same urgent send again: one message, one request.
    await client.send(conversation, "again", "urgent-1", urgent=True)
    assert await database_sync_to_async(LegalRequest.objects.count)() == 1
    await client.close()


async def test_an_urgent_message_without_anything_to_act_on_is_refused(
    policy: None, ngo: Member
) -> None:
    conversation = await main_line(ngo)
    client = await ChatClient.connect(ngo.token)
    refused = await client.send(conversation, "Please call me", "urgent-2", urgent=True)
    assert refused["messages"][0]["field"] == "report.targets"
    bad = await client.send(
        conversation,
        "see link",
        "urgent-3",
        report={
            "category": "TERRORISM",
            "targets": [{"kind": "MESSAGE_LINK", "value": "https://evil.example/1"}],
        },
    )
    assert bad["messages"][0]["field"] == "report.targets.0.value"
    assert await database_sync_to_async(Message.objects.count)() == 0
    await client.close()


async def test_a_dropped_group_message_is_backfilled_from_the_database(ngo: Member) -> None:
    conversation = await main_line(ngo)
    client = await ChatClient.connect(ngo.token)
    op = await client.subscribe(conversation, after_seq=0)
    await client.send(conversation, "one", "one")
    assert (await client.next_message(op))["seq"] == 1
    with mock.patch.object(events, "message_broadcast_on_commit"):  # seq 2 is never published
        await client.send(conversation, "two (lost in transit)", "two")
    await client.assert_nothing(op, 0.3)
    await client.send(conversation, "three", "three")
    backfilled, live = await client.next_message(op), await client.next_message(op)
    assert [(backfilled["seq"], backfilled["body"]), (live["seq"], live["body"])] == [
        (2, "two (lost in transit)"),
        (3, "three"),
    ]
    await client.close()


def _staff_headers(display_name: str = "") -> list[tuple[bytes, bytes]]:
    user = StaffUserFactory(first_name="Dana", last_name="Staff")
    if display_name:
        StaffProfile.objects.create(user=user, display_name=display_name)
    browser = sign_in_staff(Client(), user)
    cookie = f"sessionid={browser.cookies['sessionid'].value}"
    return [
        (b"cookie", cookie.encode()),
        (b"origin", b"http://testserver"),
        (b"host", b"testserver"),
    ]


async def test_staff_see_every_conversation_and_answer_live(ngo: Member) -> None:
    other = await database_sync_to_async(make_member)(await database_sync_to_async(NgoFactory)())
    conversation = await main_line(ngo)
    await main_line(other)
    member = await ChatClient.connect(ngo.token)
    op = await member.subscribe(conversation, after_seq=0)
    await member.send(conversation, "urgent-ish question", "q1")
    staff = await ChatClient.connect(
        headers=await database_sync_to_async(_staff_headers)(display_name="Dana")
    )
    listing = (await staff.execute(CONVERSATIONS))["data"]["hotlineConversations"]
    assert {c["organizationName"] for c in listing} >= {
        ngo.organization.name,
        other.organization.name,
    }
    assert listing[0]["id"] == conversation  # the busy one first
    answer = await staff.send(conversation, "We are on it.", "a1")
    # Outsiders see the display name staff chose, with the desk (a main line has none): never
    # the full name, e-mail or username.
    assert answer["author"] == {"displayName": "Dana (Platform staff)", "isStaff": True}
    assert (await member.next_message(op))["body"] == "urgent-ish question"
    assert (await member.next_message(op))["author"]["isStaff"] is True
    refused = await staff.send(conversation, "x https://t.me/a_channel/1", "a2", urgent=True)
    assert refused["messages"][0]["field"] == "urgent"
    await staff.close()
    await member.close()


PRESENCE = (
    "subscription($id: ID!) { hotlinePresence(conversationId: $id) { staffOnline typing "
    "typingIsStaff } }"
)


async def test_staff_presence_and_typing_are_live(ngo: Member) -> None:
    get_redis().delete(services.STAFF_ONLINE_KEY)
    conversation = await main_line(ngo)
    member = await ChatClient.connect(ngo.token)
    op = await member.start(PRESENCE, {"id": conversation})
    first = await member.receive(op)
    assert first["payload"]["data"]["hotlinePresence"]["staffOnline"] == 0
    staff = await ChatClient.connect(headers=await database_sync_to_async(_staff_headers)())
    staff_op = await staff.start(PRESENCE, {"id": conversation})
    assert (await staff.receive(staff_op))["payload"]["data"]["hotlinePresence"]["staffOnline"] == 1
    online = await member.receive(op)
    assert online["payload"]["data"]["hotlinePresence"]["staffOnline"] == 1
    typed = await staff.execute(
        "mutation($id: ID!) { hotlineTyping(conversationId: $id) }", {"id": conversation}
    )
    assert typed["data"]["hotlineTyping"] is True
    again = await staff.execute(
        "mutation($id: ID!) { hotlineTyping(conversationId: $id) }", {"id": conversation}
    )
    assert again["data"]["hotlineTyping"] is False  # rate-limited: dropped, not an error
    typing = (await member.receive(op))["payload"]["data"]["hotlinePresence"]
    # No display name chosen: the desk only (never the full name, e-mail or username).
    assert typing == {"staffOnline": 1, "typing": "Platform staff", "typingIsStaff": True}
    await staff.close()
    gone = await member.receive(op)
    assert gone["payload"]["data"]["hotlinePresence"]["staffOnline"] == 0
    await member.close()


async def test_connect_replay_and_send_do_not_wait_on_the_thread_sensitive_thread(
    ngo: Member,
) -> None:
    """The process's one thread-sensitive thread (where `database_sync_to_async` and every
    thread-sensitive `sync_to_async` run outside an HTTP request) is held by a blocked call:
    a WebSocket still connects (session and token), replays, sends and receives live, because
    the chat's database calls run on core.dbthreads. Back on that thread, each step would wait
    for the blocked call (60 s) and the 10 s receive timeouts fail."""
    conversation = await main_line(ngo)
    sender = await ChatClient.connect(ngo.token)
    for n in range(1, 3):
        await sender.send(conversation, f"m{n}", f"m{n}")

    started, release = threading.Event(), threading.Event()

    def hold_the_thread() -> None:
        started.set()
        release.wait(60)

    held = asyncio.ensure_future(sync_to_async(hold_the_thread)())
    try:
        await asyncio.wait_for(asyncio.to_thread(started.wait, 10), 11)
        assert started.is_set()
        watcher = await ChatClient.connect(ngo.token)
        op = await watcher.subscribe(conversation, after_seq=0)
        assert [(await watcher.next_message(op))["body"] for _ in range(2)] == ["m1", "m2"]
        sent = await watcher.send(conversation, "m3", "m3")
        assert sent["seq"] == 3
        assert (await watcher.next_message(op))["body"] == "m3"
        assert not held.done()  # the thread was held throughout
    finally:
        release.set()
        await held
    await watcher.close()
    await sender.close()
