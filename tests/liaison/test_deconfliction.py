"""Deconfliction: overlapping targets shown to staff on both cases, never to the authorities;
two TCO removal orders for the same content executed once, both authorities answered."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from strawberry.relay import to_base64

from core.actors import Actor
from liaison import deconfliction, disclosure, review
from liaison.models import ContentRemoval, LegalRequest
from liaison.submission import TargetSpec
from tests.conftest import Member
from tests.factories import LegalRequestFactory, StaffUserFactory
from tests.liaison.conftest import analyse, route, submit
from tests.signin import sign_in_staff

READ = """query($id: ID!) { legalRequest(id: $id) { status timeline { event message actor } } }"""
LINK = "https://t.me/propaganda_hub/4711"


def gid(legal_request: LegalRequest) -> str:
    return to_base64("LegalRequest", str(legal_request.pk))


def removal_order(member: Member, reference: str) -> LegalRequest:
    return route(
        submit(
            member,
            kind="CONTENT_REMOVAL",
            category="TERRORISM",
            reference=reference,
            legal_basis="Removal order (Reg. (EU) 2021/784, Art. 3)",
            targets=[TargetSpec(kind="MESSAGE_LINK", value=LINK)],
            data_categories=None,
            period_start=None,
            period_end=None,
        )
    )


def approve(staff: Actor, legal_request: LegalRequest) -> None:
    review.legal_request_start_review(actor=staff, legal_request=legal_request)
    analyse(staff, legal_request)
    review.legal_request_approve(actor=staff, legal_request=legal_request)


@pytest.mark.django_db
def test_overlaps_are_found_both_ways_within_the_window(
    authority: Member, other_authority: Member
) -> None:
    mine = submit(authority)
    theirs = submit(other_authority, reference="PV 77/26")
    assert [o.legal_request for o in deconfliction.overlapping_requests(legal_request=mine)] == [
        theirs
    ]
    assert [o.legal_request for o in deconfliction.overlapping_requests(legal_request=theirs)] == [
        mine
    ]
    (overlap,) = deconfliction.overlapping_requests(legal_request=mine)
    assert overlap.targets == (("USERNAME", "fraud_boss"),)
    # A closed request counts for 90 days after receipt, then no longer; an open one always.
    LegalRequest.objects.filter(pk=theirs.pk).update(
        status="FULFILLED", submitted_at=timezone.now() - timedelta(days=91)
    )
    assert deconfliction.overlapping_requests(legal_request=mine) == []
    LegalRequest.objects.filter(pk=theirs.pk).update(status="UNDER_REVIEW")
    assert len(deconfliction.overlapping_requests(legal_request=mine)) == 1
    # The organization's own requests are no overlap.
    LegalRequestFactory(organization=authority.organization, targets=[("USERNAME", "fraud_boss")])
    assert len(deconfliction.overlapping_requests(legal_request=mine)) == 1


@pytest.mark.django_db
def test_staff_see_the_overlap_on_both_cases_the_authorities_never(
    gql: Any, authority: Member, other_authority: Member
) -> None:
    mine = route(submit(authority, reference="AZ 1/26"))
    theirs = route(submit(other_authority, reference="PV 77/26"))
    client = sign_in_staff(Client(), StaffUserFactory())
    for case, other in ((mine, theirs), (theirs, mine)):
        page = client.get(f"/admin/liaison/legalrequest/{case.pk}/change/").content.decode()
        section = page.split('id="deconfliction"')[1].split("</fieldset>")[0]
        assert other.reference in section
        assert other.organization.name in section
        assert "USERNAME fraud_boss" in section
    for member, other in ((authority, theirs), (other_authority, mine)):
        own = LegalRequest.objects.get(organization=member.organization)
        text = json.dumps(gql(READ, {"id": gid(own)}, token=member.token))
        assert other.reference not in text
        assert other.organization.name not in text


@pytest.mark.django_db
def test_two_tco_orders_for_the_same_content_are_executed_once_and_both_answered(
    gql: Any, authority: Member, other_authority: Member, staff_one: Actor
) -> None:
    first = removal_order(authority, "TCO-DE-1")
    second = removal_order(other_authority, "TCO-FR-9")
    approve(staff_one, first)
    approve(staff_one, second)
    disclosure.legal_request_fulfil(actor=staff_one, legal_request=first)
    removal = ContentRemoval.objects.get()
    assert (removal.target_value, removal.legal_request_id) == (LINK, first.pk)
    at = f"{removal.removed_at:%Y-%m-%d %H:%M}"
    # The second authority is told at once, without a word about who the other one is.
    told = gql(READ, {"id": gid(second)}, token=other_authority.token)["data"]["legalRequest"]
    assert told["status"] == "APPROVED"
    assert told["timeline"][-1]["message"] == deconfliction.TCO_REMOVED_FOR_ANOTHER_ORDER.format(
        content=LINK, at=at
    )
    assert "TCO-DE-1" not in json.dumps(told)
    assert authority.organization.name not in json.dumps(told)
    disclosure.legal_request_fulfil(actor=staff_one, legal_request=second)
    assert ContentRemoval.objects.count() == 1  # executed once
    answers = {}
    for member, order in ((authority, first), (other_authority, second)):
        read = gql(READ, {"id": gid(order)}, token=member.token)["data"]["legalRequest"]
        assert read["status"] == "FULFILLED"
        answers[order.reference] = read["timeline"][-1]["message"]
    # Each authority is also told until when the removed content and its data are kept
    # (Reg. (EU) 2021/784, Art. 6: six months from its own order's execution).
    kept = " Preserved until {until} UTC."
    until = {
        order.reference: f"{order.preservation.preserved_until:%Y-%m-%d %H:%M}"
        for order in LegalRequest.objects.filter(reference__in=answers)
    }
    assert answers == {
        "TCO-DE-1": f"Removed at {at} UTC." + kept.format(until=until["TCO-DE-1"]),
        "TCO-FR-9": deconfliction.TCO_ALREADY_REMOVED.format(at=at)
        + kept.format(until=until["TCO-FR-9"]),
    }


@pytest.mark.django_db
def test_a_removal_that_is_not_a_tco_order_is_not_deduplicated(
    authority: Member, staff_one: Actor
) -> None:
    order = route(
        submit(
            authority,
            kind="CONTENT_REMOVAL",
            category="FRAUD",
            legal_basis="National court order",
            targets=[TargetSpec(kind="MESSAGE_LINK", value=LINK)],
            data_categories=None,
            period_start=None,
            period_end=None,
        )
    )
    approve(staff_one, order)
    disclosure.legal_request_fulfil(actor=staff_one, legal_request=order)
    assert not ContentRemoval.objects.exists()
