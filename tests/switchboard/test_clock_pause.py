"""Clock pauses visible to both sides (issue 10, item 3): `clockPausedAt` while a clarification
is open; on the answer `dueAt` and the ticket's deadline move by exactly the pause; the staff
queue shows a paused ticket as paused, not overdue, and the sweep neither escalates nor
breaches it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils.dateparse import parse_datetime

from core.actors import staff_actor
from core.graphql.ids import encode_global_id
from core.outbox import services as outbox
from core.outbox.models import OutboxEvent
from liaison import review
from switchboard.models import Ticket
from switchboard.sweep import switchboard_sweep
from tests.conftest import GraphQL, Member
from tests.factories import StaffUserFactory
from tests.fixtures import Clock
from tests.signin import sign_in_staff
from tests.switchboard.conftest import submit_request, submitted_events

READ = """query($id: ID!) { legalRequest(id: $id) { status dueAt clockPausedAt } }"""
ANSWER = """mutation($id: ID!, $answer: String!) {
  answerClarification(id: $id, answer: $answer) {
    __typename
    ... on LegalRequest { status dueAt clockPausedAt }
    ... on OperationInfo { messages { field code message } }
  } }"""


def deliver_all() -> None:
    for event in OutboxEvent.objects.filter(delivered_at__isnull=True).order_by("id"):
        outbox.outbox_deliver(event_id=event.pk)


@pytest.mark.django_db
def test_a_pause_is_visible_and_moves_both_deadlines_by_exactly_its_length(
    policy: None, authority: Member, gql: GraphQL, clock: Clock
) -> None:
    legal_request = submit_request(
        authority, kind="CONTENT_REMOVAL", category="TERRORISM", jurisdiction="FR"
    )
    outbox.outbox_deliver(event_id=submitted_events().get().pk)
    ticket = Ticket.objects.get(legal_request=legal_request)
    due = ticket.due_at
    assert due == legal_request.submitted_at + timedelta(hours=1)
    node_id = encode_global_id("LegalRequest", legal_request.pk)
    staff_user = StaffUserFactory()
    staff = staff_actor(staff_user)

    clock.advance(minutes=10)
    started = review.legal_request_start_review(actor=staff, legal_request=legal_request)
    asked_at = clock.advance(minutes=5)
    review.legal_request_ask_clarification(
        actor=staff, legal_request=started, question="Which message exactly?"
    )
    deliver_all()
    seen = gql(READ, {"id": node_id}, token=authority.token)["data"]["legalRequest"]
    assert seen["status"] == "NEEDS_INFO"
    assert parse_datetime(seen["clockPausedAt"]) == asked_at
    assert parse_datetime(seen["dueAt"]) == due  # not moved yet: the pause is still open

    # Two hours later, long past the original deadline: paused, neither overdue nor breached.
    clock.advance(hours=2)
    report = switchboard_sweep()
    assert (report.escalated, report.warned, report.breached) == (0, 0, 0)
    assert not Ticket.objects.overdue().exists()
    browser = sign_in_staff(Client(), staff_user)
    queue = browser.get("/admin/switchboard/ticket/").content.decode()
    assert "paused since" in queue
    results = queue.split('id="result_list"')[1].split("</table>")[0]
    assert "paused since" in results
    assert "overdue" not in results
    overdue_only = browser.get("/admin/switchboard/ticket/", {"overdue": "yes"})
    assert list(overdue_only.context["cl"].result_list) == []

    # Deliver the answer's event late: the ticket still moves by the request's pause exactly.
    answered_at = clock.now
    answer = gql(
        ANSWER, {"id": node_id, "answer": "https://t.me/bad_channel/42"}, token=authority.token
    )["data"]["answerClarification"]
    assert answer["clockPausedAt"] is None
    assert answer["status"] == "UNDER_REVIEW"
    pause = answered_at - asked_at
    assert parse_datetime(answer["dueAt"]) == due + pause
    clock.advance(minutes=7)
    deliver_all()
    ticket.refresh_from_db()
    assert ticket.paused_at is None
    assert ticket.due_at == due + pause
    # The clock runs again: once the moved deadline passes, the breach is recorded.
    assert switchboard_sweep(now=due + pause - timedelta(seconds=1)).breached == 0
    assert switchboard_sweep(now=due + pause + timedelta(seconds=1)).breached == 1


@pytest.mark.django_db
def test_answering_when_not_asked_is_a_clear_error(
    policy: None, authority: Member, gql: GraphQL
) -> None:
    legal_request = submit_request(authority)
    answer = gql(
        ANSWER,
        {"id": encode_global_id("LegalRequest", legal_request.pk), "answer": "Here."},
        token=authority.token,
    )["data"]["answerClarification"]
    assert answer["__typename"] == "OperationInfo"
    assert answer["messages"][0]["code"] == "invalid_transition"
