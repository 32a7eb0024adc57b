"""Least privilege for staff, attacked over the real server (issue 9, item 7).

Before: any `is_staff` user could approve and fulfil disclosures. Now the review services ask
liaison.permissions for the staff member's group: a switchboard operator or a callback officer
who signs in to /admin/ (password and second factor, over uvicorn) and posts the approval or
fulfilment step by hand is refused with 403 and nothing is recorded; a legal reviewer may.
The services' own refusals (`permission_denied`) are tested in tests/liaison/test_permissions.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from core.actors import Actor, staff_actor
from core.signin import totp_ensure
from liaison import permissions, review
from liaison.models import Approval, DisclosurePackage, LegalRequest, PlatformAccount
from tests.conftest import Member
from tests.factories import StaffUserFactory
from tests.liaison.conftest import analyse, approved, under_review
from tests.realthings import running_portal
from tests.security.conftest import PortalServer
from tests.security.test_staff_signin import (
    Browser,
    password_hash,
    totp_code,
    unique_address,
    unique_email,
)

EMERGENCY = {
    "kind": "EMERGENCY_DISCLOSURE",
    "legal_basis": "18 U.S.C. 2702(b)(8) emergency disclosure",
}


@pytest.fixture(scope="module")
def server(
    django_db_setup: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PortalServer]:
    with running_portal(tmp_path_factory.mktemp("privilege-server") / "uvicorn.log") as portal:
        yield portal


def signed_in(server: PortalServer, *groups: str) -> tuple[Browser, Any]:
    """A staff member of `groups`, signed in to /admin/ over HTTP with password and TOTP."""
    user = StaffUserFactory(
        username=unique_email("staff"), password=password_hash(), groups=list(groups)
    )
    secret = totp_ensure(user=user)
    browser = Browser(server, address=unique_address())
    assert browser.sign_in(str(user.email), "correct horse battery staple").status_code == 302
    done = browser.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert done.headers["Location"] == "/admin/", done.text[:300]
    return browser, user


def step(legal_request: LegalRequest, name: str) -> str:
    return f"/admin/liaison/legalrequest/{legal_request.pk}/review/{name}/"


def reviewer() -> Actor:
    return staff_actor(StaffUserFactory(groups=[permissions.LEGAL_REVIEWER]))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("group", [permissions.CALLBACK_OFFICER, "switchboard", "policy_admin"])
def test_staff_outside_legal_review_cannot_approve_over_the_real_server(
    server: PortalServer, authority: Member, group: str
) -> None:
    legal_request = under_review(authority, reviewer(), **EMERGENCY)
    analyse(reviewer(), legal_request)
    browser, _ = signed_in(server, group)
    assert browser.post(step(legal_request, "approve"), {"note": ""}).status_code == 403
    assert browser.post(step(legal_request, "reject"), {"reason_code": "OTHER"}).status_code == 403
    legal_request.refresh_from_db()
    assert legal_request.status == "UNDER_REVIEW"
    assert not Approval.objects.filter(legal_request=legal_request).exists()


@pytest.mark.django_db(transaction=True)
def test_a_callback_officer_cannot_fulfil_but_a_legal_reviewer_can(
    server: PortalServer, authority: Member
) -> None:
    legal_request = approved(authority, reviewer(), reviewer(), **EMERGENCY)
    officer_browser, officer = signed_in(server, permissions.CALLBACK_OFFICER)
    review.legal_request_record_callback(
        actor=staff_actor(officer),
        legal_request=legal_request,
        officer_name="KHK Weber",
        confirmed=True,
    )
    assert officer_browser.post(step(legal_request, "fulfil"), {"confirm": "on"}).status_code == 403
    legal_request.refresh_from_db()
    assert legal_request.status == "APPROVED"
    assert not DisclosurePackage.objects.filter(legal_request=legal_request).exists()

    # The platform holds the target's account: the package has records to sign.
    PlatformAccount.objects.get_or_create(
        username="fraud_boss", defaults={"user_id": 100_001, "phone_number": "+4915123456789"}
    )
    lawyer_browser, _ = signed_in(server, permissions.LEGAL_REVIEWER)
    answer = lawyer_browser.post(step(legal_request, "fulfil"), {"confirm": "on"})
    assert answer.status_code == 302, answer.text[:500]
    legal_request.refresh_from_db()
    assert legal_request.status == "FULFILLED"
    assert DisclosurePackage.objects.filter(legal_request=legal_request).exists()
