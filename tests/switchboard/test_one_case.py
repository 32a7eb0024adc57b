"""Review and ticket are one case (issue 10, item 6): starting the review acknowledges the ticket
(escalation stops, the reviewer is the assignee), through the `status_changed` outbox event; a
ticket cannot be resolved while its request is open; fulfilment, rejection and withdrawal
resolve it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from core.actors import Actor, staff_actor
from core.graphql.ids import encode_global_id
from core.outbox import services as outbox
from core.outbox.models import OutboxEvent
from liaison import disclosure, review
from switchboard import tickets
from switchboard.models import Ticket
from switchboard.sweep import switchboard_sweep
from tests.conftest import GraphQL, Member
from tests.factories import StaffUserFactory
from tests.liaison.conftest import ALL_CHECKS, attach_signed_order
from tests.signin import sign_in_staff
from tests.switchboard.conftest import submit_request, submitted_events

WITHDRAW = """mutation($id: ID!) { withdrawLegalRequest(id: $id) {
  __typename ... on LegalRequest { status } } }"""


def open_ticket(member: Member, **kwargs: Any) -> Ticket:
    legal_request = submit_request(member, **kwargs)
    outbox.outbox_deliver(
        event_id=submitted_events().get(payload__legal_request_id=str(legal_request.pk)).pk
    )
    return Ticket.objects.select_related("legal_request").get(legal_request=legal_request)


def deliver_status_events() -> None:
    for event in OutboxEvent.objects.filter(
        topic="legal_request.status_changed", delivered_at__isnull=True
    ).order_by("id"):
        outbox.outbox_deliver(event_id=event.pk)


@pytest.fixture(autouse=True)
def _private_media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def reviewer(db: Any) -> Actor:
    return staff_actor(StaffUserFactory())


@pytest.mark.django_db
def test_starting_the_review_acknowledges_the_ticket_and_stops_escalation(
    policy: None, authority: Member, reviewer: Actor
) -> None:
    ticket = open_ticket(authority, kind="CONTENT_REMOVAL", category="TERRORISM")
    assert ticket.state == Ticket.State.OPEN
    assert ticket.next_escalation_at is not None
    review.legal_request_start_review(actor=reviewer, legal_request=ticket.legal_request)
    deliver_status_events()
    ticket.refresh_from_db()
    assert ticket.state == Ticket.State.ACKNOWLEDGED
    assert ticket.assignee_id == reviewer.user.pk
    assert ticket.acknowledged_by_id == reviewer.user.pk
    assert ticket.next_escalation_at is None
    report = switchboard_sweep(now=ticket.opened_at + timedelta(minutes=50))
    assert report.escalated == 0


@pytest.mark.django_db
def test_the_reviewer_takes_an_acknowledged_ticket_too(
    policy: None, authority: Member, reviewer: Actor
) -> None:
    ticket = open_ticket(authority)
    other = staff_actor(StaffUserFactory())
    tickets.ticket_acknowledge(ticket=ticket, actor=other)
    review.legal_request_start_review(actor=reviewer, legal_request=ticket.legal_request)
    deliver_status_events()
    deliver_status_events()  # idempotent
    ticket.refresh_from_db()
    assert (ticket.state, ticket.assignee_id) == ("ACKNOWLEDGED", reviewer.user.pk)
    assert ticket.acknowledged_by_id == other.user.pk


@pytest.mark.django_db
def test_a_ticket_cannot_be_resolved_while_its_request_is_open(
    policy: None, authority: Member, reviewer: Actor
) -> None:
    ticket = open_ticket(authority)
    review.legal_request_start_review(actor=reviewer, legal_request=ticket.legal_request)
    with pytest.raises(ValidationError) as refused:
        tickets.ticket_resolve(ticket=ticket, actor=reviewer)
    assert refused.value.code == "request_open"
    ticket.refresh_from_db()
    assert ticket.state != Ticket.State.RESOLVED
    # The admin action says so, and resolves nothing.
    browser = sign_in_staff(Client(), reviewer.user)
    response = browser.post(
        "/admin/switchboard/ticket/",
        {"action": "resolve", "_selected_action": [ticket.pk]},
        follow=True,
    )
    assert "still UNDER_REVIEW" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.state != Ticket.State.RESOLVED


@pytest.mark.django_db
def test_rejection_fulfilment_and_withdrawal_resolve_the_ticket(
    policy: None, authority: Member, reviewer: Actor, gql: GraphQL
) -> None:
    second = staff_actor(StaffUserFactory())
    rejected = open_ticket(authority, reference="R-1")
    review.legal_request_start_review(actor=reviewer, legal_request=rejected.legal_request)
    review.legal_request_reject(
        actor=reviewer, legal_request=rejected.legal_request, reason_code="DISPROPORTIONATE"
    )
    fulfilled = open_ticket(
        authority, kind="CONTENT_REMOVAL", category="ILLEGAL_GOODS", reference="R-2"
    )
    legal_request = review.legal_request_start_review(
        actor=reviewer, legal_request=fulfilled.legal_request
    )
    attach_signed_order(authority, legal_request)  # the DSA Art. 9 order
    review.legal_analysis_record(actor=reviewer, legal_request=legal_request, **ALL_CHECKS)
    review.legal_request_approve(actor=second, legal_request=legal_request)
    disclosure.legal_request_fulfil(actor=reviewer, legal_request=legal_request)
    withdrawn = open_ticket(authority, reference="R-3")
    answer = gql(
        WITHDRAW,
        {"id": encode_global_id("LegalRequest", withdrawn.legal_request.pk)},
        token=authority.token,
    )["data"]["withdrawLegalRequest"]
    assert answer["status"] == "WITHDRAWN"
    deliver_status_events()
    for ticket in (rejected, fulfilled, withdrawn):
        ticket.refresh_from_db()
        assert ticket.state == Ticket.State.RESOLVED, ticket.legal_request.reference
