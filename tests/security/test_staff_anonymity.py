"""Staff stay anonymous to outsiders (issue 9, item 8).

Before: a staff member's e-mail address reached authorities and NGOs as the hotline message
author, in "… is typing", and as `actor` on the request timeline. Now outsiders see the desk's
public name ("Platform staff" where no desk applies), with the display name a staff member chose
if they set one, and never an e-mail address, username or full name.

The attack: staff act in every way (ticket actions, every review step, chat messages, typing)
on an authority's emergency disclosure and an NGO's urgent hotline report, while both
organizations watch through the real server (uvicorn, PostgreSQL, Redis): GraphQL over HTTP
(their requests and timelines, conversations, messages), subscriptions over WebSocket (request
updates, messages, typing presence), and what leaves by webhook and e-mail. Every byte they
receive is searched for every staff identifier. Internally (audit log, internal timeline
entries) the e-mail address stays, for staff accountability.
"""

from __future__ import annotations

import contextlib
import importlib
import itertools
import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from django.core import mail
from websockets.sync.client import ClientConnection, connect

from core.actors import Actor, staff_actor
from core.staff import StaffProfile
from hotline import services as hotline
from hotline.models import Conversation
from hotline.schema.types import conversation_global_id
from liaison import disclosure, review
from liaison.models import AuditEntry, LegalRequest, PlatformAccount, TimelineEntry, WebhookDelivery
from portal.celery import app
from switchboard import tickets
from switchboard.models import Ticket
from switchboard.policy import switchboard_seed_defaults
from tests.conftest import Member, make_member
from tests.factories import NgoFactory, OrganizationFactory, StaffUserFactory
from tests.liaison.conftest import ALL_CHECKS, submit
from tests.realthings import free_port
from tests.security.conftest import PortalServer

pytestmark = pytest.mark.django_db(transaction=True)

PROTOCOL = "graphql-transport-ws"
REQUEST = (
    "id reference status handlingTeam { name } "
    "timeline { event status actor message at } targets { kind value }"
)
MESSAGE = "id seq kind body author { displayName isStaff } report { reference desk status }"
QUERIES = {
    "viewer": "{ viewer { email isStaff organization { name } } }",
    "requests": f"{{ legalRequests(first: 20) {{ totalCount edges {{ node {{ {REQUEST} }} }} }} }}",
    "conversations": (
        "{ hotlineConversations { id title organizationName isMainLine lastSeq "
        "reports { reference desk status } } }"
    ),
}
REQUEST_QUERY = f"query($id: ID!) {{ legalRequest(id: $id) {{ {REQUEST} }} }}"
MESSAGES_QUERY = (
    f"query($id: ID!) {{ hotlineMessages(conversationId: $id, afterSeq: 0) {{ {MESSAGE} }} }}"
)
PACKAGE_QUERY = "query($id: ID!) { disclosurePackage(requestId: $id) { requestId json csv } }"
UPDATES = f"subscription {{ legalRequestUpdates {{ {REQUEST} }} }}"
MESSAGES = (
    "subscription($id: ID!) { hotlineMessages(conversationId: $id, afterSeq: 0) "
    f"{{ {MESSAGE} }} }}"
)
PRESENCE = (
    "subscription($id: ID!) { hotlinePresence(conversationId: $id) { staffOnline typing "
    "typingIsStaff } }"
)
ANSWER = (
    "mutation($id: ID!, $answer: String!) { answerClarification(id: $id, answer: $answer) { "
    "__typename ... on LegalRequest { status } } }"
)
URGENT = (
    "mutation($input: SendHotlineMessageInput!) { sendHotlineMessage(input: $input) { "
    f"__typename ... on HotlineMessage {{ {MESSAGE} }} "
    "... on OperationInfo { messages { field code message } } } }"
)


# The outsiders' side ---------------------------------------------------------------------------


class Subscriptions:
    """One graphql-transport-ws connection to the real server; everything it receives is kept."""

    _ids = itertools.count(1)

    def __init__(self, server: PortalServer, token: str) -> None:
        self._stack = contextlib.ExitStack()
        self.socket: ClientConnection = self._stack.enter_context(
            connect(
                f"ws://127.0.0.1:{server.port}/graphql/",
                subprotocols=[PROTOCOL],  # type: ignore[list-item]
                max_queue=None,
                open_timeout=10,
            )
        )
        self.socket.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        )
        assert json.loads(self.socket.recv(timeout=10))["type"] == "connection_ack"
        self.received: list[dict[str, Any]] = []

    def start(self, query: str, variables: dict[str, Any] | None = None) -> str:
        op_id = str(next(self._ids))
        payload = {"query": query, "variables": variables or {}}
        self.socket.send(json.dumps({"id": op_id, "type": "subscribe", "payload": payload}))
        return op_id

    def wait_for(self, op_id: str, predicate: Any, timeout: float = 10) -> dict[str, Any]:
        """The first message of `op_id` (received now or earlier) that satisfies `predicate`."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for message in self.received[seen:]:
                if message.get("id") == op_id and predicate(message):
                    return message
            seen = len(self.received)
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"nothing for {op_id}: {self.received[-5:]}")
            try:
                self.received.append(json.loads(self.socket.recv(timeout=left)))
            except TimeoutError:
                continue

    def drain(self, quiet: float = 1.5) -> None:
        """Read until the server has been silent for `quiet` seconds."""
        while True:
            try:
                self.received.append(json.loads(self.socket.recv(timeout=quiet)))
            except TimeoutError:
                return

    def close(self) -> None:
        self._stack.close()


class Outsider:
    """A member of an organization, reading everything it may through the real server."""

    def __init__(self, server: PortalServer, member: Member) -> None:
        self.server = server
        self.member = member
        self.seen: list[Any] = []  # every response body and subscription message
        self.subscriptions = Subscriptions(server, member.token)

    def gql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = httpx.post(
            f"{self.server.url}/graphql/",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {self.member.token}"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        self.seen.append(body)
        return body["data"]

    def read_everything(self) -> None:
        """Every query an outsider has about its requests and conversations."""
        self.gql(QUERIES["viewer"])
        requests = self.gql(QUERIES["requests"])["legalRequests"]["edges"]
        for edge in requests:
            self.gql(REQUEST_QUERY, {"id": edge["node"]["id"]})
            self.gql(PACKAGE_QUERY, {"id": edge["node"]["id"]})
        for conversation in self.gql(QUERIES["conversations"])["hotlineConversations"]:
            self.gql(MESSAGES_QUERY, {"id": conversation["id"]})

    def conversation_ids(self) -> list[str]:
        return [c["id"] for c in self.gql(QUERIES["conversations"])["hotlineConversations"]]


class WebhookReceiver:
    """The organizations' webhook endpoint: keeps every body it is sent."""

    def __init__(self) -> None:
        self.bodies: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                receiver.bodies.append(self.rfile.read(length).decode())
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    webhook = WebhookReceiver()
    yield webhook
    webhook.stop()


@pytest.fixture
def connections() -> Iterator[list[Subscriptions]]:
    """The outsiders' WebSocket connections, closed whatever the test's outcome."""
    opened: list[Subscriptions] = []
    yield opened
    for subscriptions in opened:
        subscriptions.close()


@pytest.fixture(autouse=True)
def _celery_in_process() -> Iterator[None]:
    """The outbox delivers in this process (eager), as the server does (CELERY_TASK_ALWAYS_EAGER):
    routing, the switchboard following the review, webhooks and e-mails."""
    previous = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, False
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = previous


# The staff side --------------------------------------------------------------------------------


def staff_member(name: str, display_name: str = "") -> tuple[Actor, list[str]]:
    """A staff member in every group, and every identifier of theirs that must never leak."""
    tag = uuid.uuid4().hex[:8]
    user = StaffUserFactory(
        username=f"{name}_{tag}",
        email=f"{name}.{tag}@platform.example",
        first_name=name.capitalize(),
        last_name=f"Hidden{tag}",
    )
    if display_name:
        StaffProfile.objects.create(user=user, display_name=display_name)
    return staff_actor(user), [user.email, user.username, user.last_name, user.get_full_name()]


def organization_member(factory: Any, contact: str, receiver: WebhookReceiver) -> Member:
    organization = factory(contact_email=contact, webhook_url=receiver.url, webhook_secret="s" * 40)
    return make_member(organization)


def watch_presence(outsider: Outsider, conversation_id: str) -> str:
    """Subscribe to a conversation's presence; returns once the server answered (listening)."""
    op = outsider.subscriptions.start(PRESENCE, {"id": conversation_id})
    outsider.subscriptions.wait_for(op, lambda m: m["type"] == "next")
    return op


def typed(outsider: Outsider, op_id: str, who: Actor, conversation_pk: int) -> dict[str, Any]:
    """Staff type in a conversation the outsider watches; the typing presence it receives."""
    for _ in range(3):
        hotline.typing_signal(actor=who, conversation_id=conversation_pk)
        try:
            return outsider.subscriptions.wait_for(
                op_id,
                lambda m: (
                    m.get("payload", {}).get("data", {}).get("hotlinePresence", {}).get("typing")
                ),
                timeout=4,
            )
        except AssertionError:
            time.sleep(2.1)  # one typing signal per person and conversation every 2 s
    raise AssertionError("the typing signal never arrived")


def test_no_staff_email_or_username_reaches_authorities_or_ngos(
    portal_server: PortalServer, receiver: WebhookReceiver, connections: list[Subscriptions]
) -> None:
    switchboard_seed_defaults()
    alice, alice_ids = staff_member("alice")  # no display name: the desk only
    bob, bob_ids = staff_member("bob", display_name="Bob")  # a display name of his own
    forbidden = [value for value in alice_ids + bob_ids if value]

    authority_member = organization_member(OrganizationFactory, "desk@police.example", receiver)
    ngo_member = organization_member(NgoFactory, "alerts@ngo.example", receiver)
    authority = Outsider(portal_server, authority_member)
    ngo = Outsider(portal_server, ngo_member)
    connections.extend([authority.subscriptions, ngo.subscriptions])
    mail.outbox = []

    # The outsiders watch: their requests, their conversations' messages and who is typing.
    presence: dict[str, str] = {}  # conversation id -> the presence subscription watching it
    for outsider in (authority, ngo):
        outsider.subscriptions.start(UPDATES)
        for conversation_id in outsider.conversation_ids():
            outsider.subscriptions.start(MESSAGES, {"id": conversation_id})
            presence[conversation_id] = watch_presence(outsider, conversation_id)

    # The NGO raises an urgent report in its hotline (through the server): routed there.
    ngo_line = Conversation.objects.get(organization=ngo_member.organization)
    sent = ngo.gql(
        URGENT,
        {
            "input": {
                "conversationId": ngo.conversation_ids()[0],
                "body": "Livestream of abuse at https://t.me/bad_channel/77 right now",
                "clientMessageId": "report-1",
                "urgent": True,
            }
        },
    )["sendHotlineMessage"]
    assert sent["__typename"] == "HotlineMessage", sent
    report = LegalRequest.objects.get(organization=ngo_member.organization)

    # The authority's emergency disclosure (through the service: routed in this process).
    emergency = submit(
        authority_member,
        kind="EMERGENCY_DISCLOSURE",
        legal_basis="18 U.S.C. 2702(b)(8) emergency disclosure",
    )
    emergency.refresh_from_db()
    assert emergency.status == "ROUTED"
    ticket = Ticket.objects.get(legal_request=emergency)

    # Staff work the tickets: acknowledge, assign, escalate, resolve.
    tickets.ticket_acknowledge(ticket=ticket, actor=alice)
    tickets.ticket_assign(ticket=ticket, actor=alice, assignee=bob.user)
    tickets.ticket_escalate(ticket=ticket, actor=bob)
    report_ticket = Ticket.objects.get(legal_request=report)
    tickets.ticket_assign(ticket=report_ticket, actor=bob, assignee=bob.user)  # acknowledges

    # Every review step: start, analysis, clarification (answered by the authority through the
    # server), two approvals, callback, fulfil; and a rejection of the NGO's report.
    review.legal_request_start_review(actor=alice, legal_request=emergency)
    review.legal_analysis_record(actor=alice, legal_request=emergency, **ALL_CHECKS)
    review.legal_request_ask_clarification(
        actor=bob, legal_request=emergency, question="Which account is the threat from?"
    )
    answered = authority.gql(
        ANSWER,
        {"id": authority.gql(QUERIES["requests"])["legalRequests"]["edges"][0]["node"]["id"],
         "answer": "The account fraud_boss."},
    )  # fmt: skip
    assert answered["answerClarification"]["status"] == "UNDER_REVIEW"
    review.legal_request_approve(actor=alice, legal_request=emergency, note="Threat to life.")
    review.legal_request_approve(actor=bob, legal_request=emergency)
    review.legal_request_record_callback(
        actor=alice, legal_request=emergency, officer_name="KHK Weber", confirmed=True
    )
    # The platform holds the target's account: a package is produced (with no data it would
    # take the explicit "no data held" decision instead).
    PlatformAccount.objects.create(
        user_id=100_001, username="fraud_boss", phone_number="+4915123456789"
    )
    disclosure.legal_request_fulfil(actor=bob, legal_request=emergency, note="Sent.")
    review.legal_request_start_review(actor=bob, legal_request=report)
    review.legal_request_reject(actor=alice, legal_request=report, reason_code="NO_RULE_VIOLATION")
    # A ticket is resolved once its request is closed (the rejection resolves it, too).
    tickets.ticket_resolve(ticket=report_ticket, actor=alice)

    # Staff write and type in every conversation: the main lines and a line on the request.
    authority_line = Conversation.objects.get(
        organization=authority_member.organization, legal_request__isnull=True
    )
    request_line = hotline.conversation_open_for_request(actor=bob, legal_request_id=emergency.pk)
    for who, line, text in (
        (alice, authority_line, "We are on it."),
        (bob, ngo_line, "Thanks, the channel is down."),
        (bob, request_line, "The package is ready."),
    ):
        hotline.message_send(
            actor=who, conversation_id=line.pk, body=text, client_message_id=uuid.uuid4().hex
        )
    # The request line opened after the authority started watching: it watches that one too.
    request_line_id = str(conversation_global_id(request_line.pk))
    assert request_line_id in authority.conversation_ids()
    presence[request_line_id] = watch_presence(authority, request_line_id)
    typing_seen = [
        typed(outsider, presence[str(conversation_global_id(line.pk))], who, line.pk)
        for outsider, who, line in (
            (authority, alice, authority_line),
            (ngo, bob, ngo_line),
            (authority, bob, request_line),
        )
    ]

    # Everything the outsiders can read, or have received.
    for outsider in (authority, ngo):
        outsider.read_everything()
        outsider.subscriptions.drain()
        outsider.seen.extend(outsider.subscriptions.received)
    webhooks = list(receiver.bodies) + [
        delivery.body
        for delivery in WebhookDelivery.objects.filter(
            organization__in=[authority_member.organization, ngo_member.organization]
        )
    ]
    contacts = {"desk@police.example", "alerts@ngo.example"}
    emails = [
        {"to": message.to, "subject": message.subject, "body": message.body}
        for message in mail.outbox
        if set(message.to) <= contacts
    ]
    seen = {
        "authority": authority.seen,
        "ngo": ngo.seen,
        "webhooks": webhooks,
        "emails": emails,
    }
    blob = json.dumps(seen, ensure_ascii=False).casefold()

    # No staff e-mail address, username or full name, anywhere …
    leaks = [value for value in forbidden if value.casefold() in blob]
    assert not leaks, f"staff identifiers reached outsiders: {leaks}"

    # … yet staff did appear (the test saw them act): as desks, with the name Bob chose.
    timeline = [
        entry
        for body in authority.seen
        if isinstance(body, dict) and "legalRequest" in body.get("data", {})
        for entry in (body["data"]["legalRequest"] or {}).get("timeline", [])
    ]
    actors = {entry["actor"] for entry in timeline}
    desk = emergency.handling_desk
    assert desk
    assert desk in actors  # Alice's review steps: the desk only
    assert f"Bob ({desk})" in actors  # Bob's: his display name with the desk
    authors = {
        message["author"]["displayName"]
        for body in authority.seen + ngo.seen
        if isinstance(body, dict)
        for message in (body.get("data") or {}).get("hotlineMessages") or []
        if isinstance(message, dict) and message["author"]["isStaff"]
    }
    assert authors >= {"Platform staff", "Bob (Platform staff)", f"Bob ({desk})"}
    typing_names = {m["payload"]["data"]["hotlinePresence"]["typing"] for m in typing_seen}
    assert typing_names == {"Platform staff", "Bob (Platform staff)", f"Bob ({desk})"}
    assert webhooks
    assert emails

    # Inside, staff stay accountable: the audit log and internal entries name them.
    assert AuditEntry.objects.filter(actor_label=alice.user.email).exists()
    assert AuditEntry.objects.filter(actor_label=bob.user.email).exists()
    assert TimelineEntry.objects.filter(public=False, actor_label=bob.user.email).exists()


# What was there before ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_migrations_rewrite_staff_emails_already_shown_to_outsiders() -> None:
    """Rows written before the fix: public timeline entries labelled with a staff e-mail or
    username, and staff hotline messages signed with a full name, e-mail or username, now show
    the desk ("Platform staff" where none applies); internal entries, members' labels and names
    that were no identity stay."""
    from django.apps import apps

    from hotline.models import Message
    from liaison.lifecycle import legal_request_mark_routed
    from tests.factories import LegalRequestFactory, TimelineEntryFactory, UserFactory

    alice = StaffUserFactory(username="alice_old", email="alice.old@platform.example")
    bob = StaffUserFactory(username="bob_old", email="")
    carol = StaffUserFactory(first_name="Carol", last_name="Old")
    officer = UserFactory()
    routed = LegalRequestFactory()
    legal_request_mark_routed(
        legal_request=routed,
        desk_name="Law Enforcement Response (Europe)",
        due_at=routed.submitted_at,
        actor_label="Switchboard",
    )
    unrouted = LegalRequestFactory()
    by_alice = TimelineEntryFactory(legal_request=routed, actor_label=alice.email)
    by_bob = TimelineEntryFactory(legal_request=unrouted, actor_label=bob.username)
    internal = TimelineEntryFactory(legal_request=routed, actor_label=alice.email, public=False)
    by_member = TimelineEntryFactory(legal_request=routed, actor_label=officer.email)
    main_line = Conversation.objects.get(organization=routed.organization, legal_request=None)
    request_line = Conversation.objects.create(
        organization=routed.organization, legal_request=routed, title="Request line"
    )
    messages = {
        name: Message.objects.create(
            conversation=line, seq=seq, author=author, author_name=shown,
            author_is_staff=author.is_staff, body="…", sent_at=routed.submitted_at,
        )
        for seq, (name, line, author, shown) in enumerate(
            [
                ("staff_main", main_line, alice, alice.email),
                ("staff_request", request_line, bob, "bob_old"),
                ("staff_full_name", main_line, carol, "Carol Old"),
                ("staff_desk_already", request_line, alice, "Platform staff"),
                ("member", main_line, officer, officer.email),
            ],
            start=1,
        )
    }  # fmt: skip

    importlib.import_module(
        "liaison.migrations.0011_public_timeline_without_staff_emails"
    ).forwards(apps, None)
    importlib.import_module("hotline.migrations.0008_staff_messages_by_desk").forwards(apps, None)

    labels = {
        entry: TimelineEntry.objects.get(pk=entry.pk).actor_label
        for entry in (by_alice, by_bob, internal, by_member)
    }
    assert labels == {
        by_alice: "Law Enforcement Response (Europe)",
        by_bob: "Platform staff",
        internal: alice.email,  # staff accountability: internal entries keep it
        by_member: officer.email,
    }
    names = {name: Message.objects.get(pk=m.pk).author_name for name, m in messages.items()}
    assert names == {
        "staff_main": "Platform staff",
        "staff_request": "Law Enforcement Response (Europe)",
        "staff_full_name": "Platform staff",
        "staff_desk_already": "Platform staff",  # not an identity: left as it was
        "member": officer.email,
    }


# The display name -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_staff_member_sets_their_own_display_name_in_admin() -> None:
    from django.test import Client

    from tests.signin import sign_in_staff

    user = StaffUserFactory(groups=[], username="carol_x", email="carol.x@platform.example")
    other = StaffProfile.objects.create(user=StaffUserFactory(), display_name="Dan")
    client = sign_in_staff(Client(), user)
    # The list is one's own: straight to creating it.
    response = client.get("/admin/core/staffprofile/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/core/staffprofile/add/"
    for refused_name in ("carol.x@platform.example", "carol_x", "Carol\u202e"):
        page = client.post("/admin/core/staffprofile/add/", {"display_name": refused_name})
        assert page.status_code == 200
        assert "display_name" in page.context["adminform"].form.errors
    assert (
        client.post("/admin/core/staffprofile/add/", {"display_name": "Carol"}).status_code == 302
    )
    profile = StaffProfile.objects.get(user=user)
    assert profile.display_name == "Carol"
    assert client.get("/admin/core/staffprofile/").status_code == 302  # now to the change page
    # Someone else's is not theirs to see or change.
    assert client.get(f"/admin/core/staffprofile/{other.pk}/change/").status_code in (302, 403)
    client.post(f"/admin/core/staffprofile/{other.pk}/change/", {"display_name": "Hacked"})
    other.refresh_from_db()
    assert other.display_name == "Dan"
    actor = staff_actor(user)
    assert actor.public_label == "Carol (Platform staff)"
