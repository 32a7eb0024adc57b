"""Tenancy of the fields and types added for intake signals, pre-flight, cannot-comply and
user notice: another organization's request is not found through node, legalRequest and the
list, and what is staff-only is never visible to an organization."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from strawberry.relay import to_base64

from core.actors import Actor
from liaison import cannot_comply, user_notice
from liaison.models import IntakeAssessment, TargetPreflight
from switchboard import tickets
from switchboard.policy import switchboard_seed_defaults
from tests.conftest import Member
from tests.factories import StaffUserFactory
from tests.liaison.conftest import submit, under_review
from tests.signin import sign_in_staff

FIELDS = """verificationPending noDataHeld
  cannotComply { ground explanation } nonDisclosureOrder { legalBasis until }"""
NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on LegalRequest {{ id {FIELDS} }} }} }}"
ONE = f"query($id: ID!) {{ legalRequest(id: $id) {{ id {FIELDS} }} }}"
LIST = f"{{ legalRequests(first: 50) {{ totalCount edges {{ node {{ id {FIELDS} }} }} }} }}"


@pytest.mark.django_db
def test_new_fields_of_another_organizations_request_are_not_found(
    gql: Any, authority: Member, other_authority: Member, staff_one: Actor
) -> None:
    other_authority.organization.email_domain = "police.example"  # held: outside the domain
    other_authority.organization.save(update_fields=["email_domain"])
    foreign = under_review(other_authority, staff_one)
    cannot_comply.legal_request_cannot_comply(
        actor=staff_one, legal_request=foreign, ground="INCOMPLETE", explanation="No date."
    )
    user_notice.non_disclosure_order_attach(
        actor=other_authority.actor,
        legal_request=foreign,
        legal_basis="18 U.S.C. 2705(b)",
        until=timezone.now() + timedelta(days=30),
    )
    foreign_id = to_base64("LegalRequest", str(foreign.pk))
    own = submit(authority, reference="AZ 5/26")
    assert gql(NODE, {"id": foreign_id}, token=authority.token) == {"data": {"node": None}}
    assert gql(ONE, {"id": foreign_id}, token=authority.token) == {"data": {"legalRequest": None}}
    listed = gql(LIST, token=authority.token)["data"]["legalRequests"]
    assert listed["totalCount"] == 1
    assert listed["edges"][0]["node"]["id"] == to_base64("LegalRequest", str(own.pk))
    # The owner sees its own: the hold, the ground, its order.
    mine = gql(ONE, {"id": foreign_id}, token=other_authority.token)["data"]["legalRequest"]
    assert mine["verificationPending"] is True
    assert mine["cannotComply"] == {"ground": "INCOMPLETE", "explanation": "No date."}
    assert mine["nonDisclosureOrder"]["legalBasis"] == "18 U.S.C. 2705(b)"
    # Staff-only rows are nobody's but staff's, the owner's included.
    for member in (authority, other_authority):
        assert not IntakeAssessment.objects.visible_to(member.actor).exists()
        assert not TargetPreflight.objects.visible_to(member.actor).exists()


@pytest.mark.django_db
def test_the_ticket_queue_shows_the_intake_signals(authority: Member) -> None:
    switchboard_seed_defaults()
    authority.organization.email_domain = "police.example"
    authority.organization.save(update_fields=["email_domain"])
    legal_request = submit(authority)
    tickets.ticket_open_for_request(legal_request_id=legal_request.pk)
    client = sign_in_staff(Client(), StaffUserFactory())
    page = client.get("/admin/switchboard/ticket/").content.decode()
    assert "HELD for verification (score 55)" in page
