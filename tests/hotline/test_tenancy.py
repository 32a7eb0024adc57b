"""Another organization's hotline conversation is "not found" through every path (list,
history, send, typing, subscriptions), exactly like a missing one; reads never write."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.db import database_sync_to_async

from core.actors import Actor, staff_actor
from core.errors import NotFound
from core.graphql.ids import encode_global_id
from hotline import selectors, services, streams
from hotline.models import Conversation, Message
from liaison.models import Membership
from tests.conftest import Member, make_member
from tests.factories import LegalRequestFactory, NgoFactory, StaffUserFactory
from tests.hotline.chatkit import CONVERSATIONS, HISTORY, SEND, ChatClient

NOT_FOUND = "No hotline conversation with this id."
TYPING = "mutation($id: ID!) { hotlineTyping(conversationId: $id) }"
PRESENCE = "subscription($id: ID!) { hotlinePresence(conversationId: $id) { staffOnline } }"
SUBSCRIBE = "subscription($id: ID!) { hotlineMessages(conversationId: $id, afterSeq: 0) { seq } }"


def main_line(member: Member) -> Conversation:
    return Conversation.objects.get(organization=member.organization, legal_request__isnull=True)


def foreign_and_missing_ids(conversation: Conversation, member: Member) -> list[str]:
    """Ways to name a conversation the member may not use: they must all look the same."""
    return [
        encode_global_id("HotlineConversation", conversation.pk),  # another organization's
        encode_global_id("HotlineConversation", 9_999_999),  # missing
        str(conversation.pk),  # another organization's, by its bare pk
        encode_global_id("Organization", member.organization.pk),  # another type
        encode_global_id("HotlineConversation", "not-a-number"),
        "garbage",
    ]


@pytest.fixture
def intruder(db: Any) -> Member:
    """A member of an unrelated NGO."""
    return make_member(NgoFactory(name="Intruder NGO"))


@pytest.fixture
def secret_line(ngo: Member) -> Conversation:
    """The NGO's main line, with a message nobody else may read."""
    conversation = main_line(ngo)
    services.message_send(
        actor=ngo.actor, conversation_id=conversation.pk, body="SECRET tip", client_message_id="s1"
    )
    return conversation


@pytest.mark.django_db
def test_conversation_queryset_applies_the_one_rule(ngo: Member, intruder: Member) -> None:
    own, foreign = main_line(ngo), main_line(intruder)
    assert list(Conversation.objects.visible_to(ngo.actor)) == [own]
    assert list(Conversation.objects.visible_to(None)) == []
    staff = staff_actor(StaffUserFactory())
    assert set(Conversation.objects.visible_to(staff)) == {own, foreign}
    # A staff user acting through an organization's token acts for that organization only.
    member_staff = Actor(user=staff.user, organization=ngo.organization, is_staff=True)
    assert list(Conversation.objects.visible_to(member_staff)) == [own]


@pytest.mark.django_db
def test_access_conversation_says_the_same_not_found_for_every_foreign_id(
    ngo: Member, intruder: Member, secret_line: Conversation
) -> None:
    errors = set()
    for bad_id in (*foreign_and_missing_ids(secret_line, intruder), secret_line.pk, None, 0):
        with pytest.raises(NotFound) as raised:
            selectors.access_conversation(actor=intruder.actor, conversation_id=bad_id)
        errors.add((str(raised.value), str(raised.value.message_dict)))
    assert errors == {(NOT_FOUND, str({"conversationId": [NOT_FOUND]}))}
    assert selectors.access_conversation(actor=ngo.actor, conversation_id=secret_line.pk)


@pytest.mark.django_db
def test_the_list_shows_only_own_conversations(
    gql: Any, ngo: Member, intruder: Member, secret_line: Conversation
) -> None:
    # Staff also opened a request line with the NGO: still not the intruder's business.
    request = LegalRequestFactory(organization=ngo.organization, reference="SECRET-REF")
    services.conversation_open_for_request(
        actor=staff_actor(StaffUserFactory()),
        legal_request_id=encode_global_id("LegalRequest", request.pk),
    )
    body = gql(CONVERSATIONS, token=intruder.token)
    listed = body["data"]["hotlineConversations"]
    assert [(c["organizationName"], c["isMainLine"]) for c in listed] == [("Intruder NGO", True)]
    assert "SECRET" not in str(body)
    own = gql(CONVERSATIONS, token=ngo.token)["data"]["hotlineConversations"]
    assert [c["isMainLine"] for c in own] == [True, False]


@pytest.mark.django_db
def test_history_of_a_foreign_conversation_looks_missing(
    gql: Any, intruder: Member, secret_line: Conversation
) -> None:
    answers = [
        gql(HISTORY, {"id": bad_id}, token=intruder.token)
        for bad_id in foreign_and_missing_ids(secret_line, intruder)
    ]
    for answer in answers:
        assert answer["data"] is None
        assert [e["message"] for e in answer["errors"]] == [NOT_FOUND]
        assert answer == answers[0]
    assert "SECRET" not in str(answers)


@pytest.mark.django_db
def test_sending_to_or_typing_in_a_foreign_conversation_looks_missing(
    gql: Any, intruder: Member, secret_line: Conversation
) -> None:
    before = Message.objects.count()
    sent = [
        gql(
            SEND,
            {"input": {"conversationId": bad_id, "body": "hi", "clientMessageId": f"x{n}"}},
            token=intruder.token,
        )["data"]["sendHotlineMessage"]
        for n, bad_id in enumerate(foreign_and_missing_ids(secret_line, intruder))
    ]
    assert sent == [
        {
            "messages": [
                {
                    "kind": "VALIDATION",
                    "field": "conversationId",
                    "message": NOT_FOUND,
                    "code": "not_found",
                }
            ]
        }
    ] * len(sent)
    assert Message.objects.count() == before
    typed = [
        gql(TYPING, {"id": bad_id}, token=intruder.token)
        for bad_id in foreign_and_missing_ids(secret_line, intruder)
    ]
    assert typed == [{"data": {"hotlineTyping": False}}] * len(typed)


@pytest.mark.django_db
def test_only_staff_open_request_lines(gql: Any, ngo: Member) -> None:
    request = LegalRequestFactory(organization=ngo.organization)
    body = gql(
        "mutation($id: ID!) { openHotlineConversation(legalRequestId: $id) { "
        "... on OperationInfo { messages { field code } } } }",
        {"id": encode_global_id("LegalRequest", request.pk)},
        token=ngo.token,
    )
    assert body["data"]["openHotlineConversation"]["messages"] == [
        {"field": "legalRequestId", "code": "forbidden"}
    ]
    assert not Conversation.objects.filter(legal_request=request).exists()


@pytest.mark.django_db
def test_listing_conversations_never_writes(gql: Any, ngo: Member) -> None:
    """The main line is made with the organization (receiver, migration), never by a read."""
    assert main_line(ngo)
    Conversation.objects.filter(organization=ngo.organization).delete()
    body = gql(CONVERSATIONS, token=ngo.token)
    assert body == {"data": {"hotlineConversations": []}}
    assert not Conversation.objects.filter(organization=ngo.organization).exists()


# Subscriptions over WebSocket --------------------------------------------------------------


async def _first_payload(client: ChatClient, query: str, conversation_id: str) -> Any:
    op = await client.start(query, {"id": conversation_id})
    message = await client.receive(op)
    return message["type"], message.get("payload")


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_subscriptions_to_a_foreign_conversation_look_missing(ngo: Member) -> None:
    intruder = await database_sync_to_async(make_member)(await database_sync_to_async(NgoFactory)())
    theirs = await database_sync_to_async(main_line)(ngo)
    client = await ChatClient.connect(intruder.token)
    try:
        for query in (SUBSCRIBE, PRESENCE):
            answers = [
                await _first_payload(client, query, bad_id)
                for bad_id in foreign_and_missing_ids(theirs, intruder)
            ]
            for kind, payload in answers:
                assert kind == "next"
                assert payload["data"] is None
                assert [e["message"] for e in payload["errors"]] == [NOT_FOUND]
            assert all(answer == answers[0] for answer in answers), answers
    finally:
        await client.close()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_stream_ends_with_not_found_once_access_is_lost(
    ngo: Member, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(streams, "ACCESS_RECHECK_SECONDS", 0.2)
    conversation = await database_sync_to_async(main_line)(ngo)
    await database_sync_to_async(services.message_send)(
        actor=ngo.actor, conversation_id=conversation.pk, body="one", client_message_id="one"
    )
    stream = streams.message_stream(actor=ngo.actor, conversation_id=conversation.pk, after_seq=0)
    try:
        assert (await stream.__anext__()).body == "one"  # access checked, replayed, now live
        await database_sync_to_async(
            lambda: Membership.objects.filter(pk=ngo.membership.pk).update(is_active=False)
        )()
        with pytest.raises(NotFound) as raised:
            await asyncio.wait_for(stream.__anext__(), timeout=10)
        assert str(raised.value) == NOT_FOUND
    finally:
        await stream.aclose()
