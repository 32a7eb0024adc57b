"""The routing guide (GraphQL `routingGuide` and the public /guide/ page) answers from the same
rules and clocks as routing; what it says is what happens."""

from __future__ import annotations

import itertools
import random

import pytest
from django.test import Client

from core.outbox import services as outbox
from liaison.models import RequestCategory, RequestKind
from switchboard.models import Ticket
from tests.conftest import GraphQL, Member
from tests.switchboard.conftest import submit_request, submitted_events

GUIDE = """query($kind: RequestKind!, $category: RequestCategory!, $jurisdiction: String!) {
  routingGuide(kind: $kind, category: $category, jurisdiction: $jurisdiction) {
    teamName deadlineSeconds channel requiredFields acceptedLegalBases urgent jurisdiction } }"""

COUNTRIES = ["DE", "FR", "NO", "GB", "US", "BR", "JP", "IN"]
SAMPLE = random.Random(7).sample(
    list(itertools.product(RequestKind.values, RequestCategory.values, COUNTRIES)), 40
)


@pytest.mark.django_db
def test_guide_and_routing_agree(
    policy: None, authority: Member, gql: GraphQL, client: Client
) -> None:
    for i, (kind, category, country) in enumerate(SAMPLE):
        guide = gql(GUIDE, {"kind": kind, "category": category, "jurisdiction": country.lower()})
        answer = guide["data"]["routingGuide"]
        page = client.get("/guide/", {"kind": kind, "category": category, "country": country})
        legal_request = submit_request(
            authority, kind=kind, category=category, jurisdiction=country, reference=f"G{i}"
        )
        event = submitted_events().get(payload__legal_request_id=str(legal_request.pk))
        outbox.outbox_deliver(event_id=event.pk)
        ticket = Ticket.objects.select_related("team").get(legal_request=legal_request)
        assert answer["teamName"] == ticket.team.desk_name, (kind, category, country)
        assert (
            answer["deadlineSeconds"]
            == (ticket.due_at - legal_request.submitted_at).total_seconds()
        )
        assert answer["urgent"] == ticket.urgent
        assert page.context["answer"]["routing"].team_name == ticket.team.desk_name
        assert f'data-seconds="{answer["deadlineSeconds"]}"' in page.content.decode()


@pytest.mark.django_db
def test_guide_page_shows_the_form_and_the_answer(policy: None, client: Client) -> None:
    empty = client.get("/guide/")
    assert empty.status_code == 200
    assert "<form" in empty.content.decode()
    page = client.get(
        "/guide/", {"kind": "CONTENT_REMOVAL", "category": "TERRORISM", "country": "FR"}
    ).content.decode()
    assert "Counter-Terrorism Desk" in page
    assert "within 1 hour of receipt" in page
    assert "Removal order (Reg. (EU) 2021/784, Art. 3)" in page
    assert "urgent" in page
    bad = client.get(
        "/guide/", {"kind": "CONTENT_REMOVAL", "category": "TERRORISM", "country": "XX"}
    )
    assert bad.context["answer"] is None
    assert bad.context["form"].errors["country"]


@pytest.mark.parametrize("jurisdiction", ["Narnia", "XX", ""])
@pytest.mark.django_db
def test_guide_rejects_a_bad_country(policy: None, gql: GraphQL, jurisdiction: str) -> None:
    body = gql(
        GUIDE, {"kind": "DATA_DISCLOSURE", "category": "FRAUD", "jurisdiction": jurisdiction}
    )
    # routingGuide is non-null: the one error nulls the whole answer, and says what was wrong.
    assert body["data"] is None
    assert [(error["message"], error["path"]) for error in body["errors"]] == [
        (
            f"{jurisdiction!r} is not an ISO 3166-1 alpha-2 country code (e.g. DE, FR, US).",
            ["routingGuide"],
        )
    ]


REQUEST = """query($id: ID!) { legalRequest(id: $id) { status dueAt handlingTeam { name } } }"""
LIST = """{ legalRequests { totalCount edges { node { handlingTeam { name } } } } }"""


@pytest.mark.django_db
def test_handling_team_and_due_at_are_visible_to_the_owner_only(
    policy: None, authority: Member, other_authority: Member, gql: GraphQL
) -> None:
    legal_request = submit_request(authority, kind="CONTENT_REMOVAL", category="TERRORISM")
    outbox.outbox_deliver(event_id=submitted_events().get().pk)
    listing = gql(LIST, token=authority.token)["data"]["legalRequests"]
    assert listing["totalCount"] == 1
    global_id = gql("{ legalRequests { edges { node { id } } } }", token=authority.token)["data"][
        "legalRequests"
    ]["edges"][0]["node"]["id"]
    own = gql(REQUEST, {"id": global_id}, token=authority.token)["data"]["legalRequest"]
    assert own["status"] == "ROUTED"
    assert own["handlingTeam"] == {"name": "Counter-Terrorism Desk"}
    assert own["dueAt"] is not None
    # Another tenant: not found, and nothing in its own list.
    assert (
        gql(REQUEST, {"id": global_id}, token=other_authority.token)["data"]["legalRequest"] is None
    )
    assert gql(LIST, token=other_authority.token)["data"]["legalRequests"]["totalCount"] == 0
    assert legal_request.pk
