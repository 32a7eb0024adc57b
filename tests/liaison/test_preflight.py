"""Pre-flight of identifiers at routing (only whether each target exists, audited), and the
explicit "no data held" decision instead of an empty signed package."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from strawberry.relay import to_base64

from core.actors import Actor
from liaison import disclosure, review
from liaison.disclosure import NO_DATA_NOTICE
from liaison.models import (
    AuditEntry,
    DisclosurePackage,
    LegalRequest,
    NoDataDecision,
    TargetPreflight,
)
from liaison.submission import TargetSpec
from tests.conftest import Member
from tests.factories import StaffUserFactory
from tests.liaison.conftest import analyse, route, submit
from tests.signin import sign_in_staff

READ = """query($id: ID!) { legalRequest(id: $id) {
  status noDataHeld timeline { event status message } } }"""
PACKAGE = """query($id: ID!) { disclosurePackage(requestId: $id) { requestId } }"""


class BrokenSubscriberRecords:
    """A backend whose store is down."""

    def exists(self, **kwargs: Any) -> bool:
        raise ConnectionError("store unreachable")


def gid(legal_request: LegalRequest) -> str:
    return to_base64("LegalRequest", str(legal_request.pk))


def approved(member: Member, one: Actor, two: Actor, **overrides: Any) -> LegalRequest:
    legal_request = route(submit(member, **overrides))
    review.legal_request_start_review(actor=one, legal_request=legal_request)
    analyse(one, legal_request)
    review.legal_request_approve(actor=one, legal_request=legal_request)
    review.legal_request_approve(actor=two, legal_request=legal_request)
    return legal_request


@pytest.mark.django_db
def test_routing_asks_only_whether_each_target_exists(authority: Member, accounts: Any) -> None:
    legal_request = submit(
        authority,
        targets=[
            TargetSpec(kind="USERNAME", value="fraud_boss"),
            TargetSpec(kind="USERNAME", value="nobody_here"),
            TargetSpec(kind="PHONE_NUMBER", value="+4915123456789"),
        ],
    )
    assert not TargetPreflight.objects.exists()  # asked when routed, not before
    route(legal_request)
    answers = {
        (p.target_kind, p.target_value): p.exists
        for p in TargetPreflight.objects.filter(legal_request=legal_request)
    }
    assert answers == {
        ("USERNAME", "fraud_boss"): True,
        ("USERNAME", "nobody_here"): False,
        ("PHONE_NUMBER", "+4915123456789"): True,
    }
    (read,) = AuditEntry.objects.filter(action="legal_request.preflight_checked")
    assert read.details == {"targets": 3, "found": 2, "kinds": ["PHONE_NUMBER", "USERNAME"]}
    # No data: neither the account's phone nor its addresses appear anywhere in the answer.
    assert "203.0.113.7" not in json.dumps(read.details)
    # Routing again (a re-route) asks nothing twice.
    route(legal_request)
    assert TargetPreflight.objects.filter(legal_request=legal_request).count() == 3


@pytest.mark.django_db
def test_a_store_outage_does_not_stop_the_routing(authority: Member, settings: Any) -> None:
    settings.SUBSCRIBER_RECORDS_BACKEND = f"{__name__}.BrokenSubscriberRecords"
    legal_request = route(submit(authority))
    assert LegalRequest.objects.get(pk=legal_request.pk).status == "ROUTED"
    assert not TargetPreflight.objects.exists()


@pytest.mark.django_db
def test_staff_see_the_answer_and_authorities_never(
    gql: Any, authority: Member, accounts: Any
) -> None:
    legal_request = route(
        submit(authority, targets=[TargetSpec(kind="USERNAME", value="nobody_here")])
    )
    client = sign_in_staff(Client(), StaffUserFactory())
    page = client.get(f"/admin/liaison/legalrequest/{legal_request.pk}/change/").content.decode()
    assert "USERNAME nobody_here: <b>no account</b>" in page
    assert not TargetPreflight.objects.visible_to(authority.actor).exists()
    text = json.dumps(gql(READ, {"id": gid(legal_request)}, token=authority.token))
    assert "account" not in text.casefold()


@pytest.mark.django_db
def test_no_data_needs_an_explicit_decision_told_to_the_authority(
    gql: Any, authority: Member, staff_one: Actor, staff_two: Actor, accounts: Any
) -> None:
    legal_request = approved(
        authority, staff_one, staff_two, targets=[TargetSpec(kind="USERNAME", value="nobody_here")]
    )
    with pytest.raises(ValidationError) as refused:
        disclosure.legal_request_fulfil(actor=staff_one, legal_request=legal_request)
    assert refused.value.error_dict["no_data_held"][0].code == "no_data_held"
    assert not DisclosurePackage.objects.exists()
    assert LegalRequest.objects.get(pk=legal_request.pk).status == "APPROVED"
    disclosure.legal_request_fulfil(actor=staff_one, legal_request=legal_request, no_data_held=True)
    assert not DisclosurePackage.objects.exists()  # no empty signed file
    assert NoDataDecision.objects.get().decided_by == staff_one.user
    read = gql(READ, {"id": gid(legal_request)}, token=authority.token)["data"]["legalRequest"]
    assert read["status"] == "FULFILLED"
    assert read["noDataHeld"] is True
    assert read["timeline"][-1] == {
        "event": "STATUS_CHANGED",
        "status": "FULFILLED",
        "message": NO_DATA_NOTICE,
    }
    assert gql(PACKAGE, {"id": gid(legal_request)}, token=authority.token) == {
        "data": {"disclosurePackage": None}
    }
    assert AuditEntry.objects.filter(action="legal_request.no_data_held").count() == 1


@pytest.mark.django_db
def test_no_data_cannot_be_claimed_when_data_is_held(
    authority: Member, staff_one: Actor, staff_two: Actor, accounts: Any
) -> None:
    legal_request = approved(authority, staff_one, staff_two)
    with pytest.raises(ValidationError) as refused:
        disclosure.legal_request_fulfil(
            actor=staff_one, legal_request=legal_request, no_data_held=True
        )
    assert refused.value.error_dict["no_data_held"][0].code == "data_held"
    assert not NoDataDecision.objects.exists()
    disclosure.legal_request_fulfil(actor=staff_one, legal_request=legal_request)
    assert DisclosurePackage.objects.count() == 1


@pytest.mark.django_db
def test_no_data_decision_in_admin(
    authority: Member, staff_one: Actor, staff_two: Actor, accounts: Any
) -> None:
    legal_request = approved(
        authority, staff_one, staff_two, targets=[TargetSpec(kind="USER_ID", value="999")]
    )
    client = sign_in_staff(Client(), StaffUserFactory())
    url = f"/admin/liaison/legalrequest/{legal_request.pk}/review/fulfil/"
    page = client.post(url, {"confirm": "on"}, follow=True).content.decode()
    assert "decide explicitly that no data is held" in page
    client.post(url, {"confirm": "on", "no_data_held": "on"})
    assert LegalRequest.objects.get(pk=legal_request.pk).status == "FULFILLED"
    page = client.get(f"/admin/liaison/legalrequest/{legal_request.pk}/change/").content.decode()
    assert "No data held: decided by" in page
