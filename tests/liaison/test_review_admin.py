"""The review in admin: checklist, four eyes with two staff logins, reasons, callback, fulfil."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils.text import capfirst

from liaison import lifecycle
from liaison.admin.review_steps import REVIEW_STEPS, AnalysisForm, available_steps
from liaison.models import Approval, DisclosurePackage, LegalAnalysis, LegalRequest
from liaison.review_policy import current_policy
from tests.conftest import Member
from tests.factories import StaffUserFactory, SuperuserFactory
from tests.liaison.conftest import ALL_CHECKS, route, submit
from tests.signin import sign_in_staff


def staff_client() -> Client:
    return sign_in_staff(Client(), StaffUserFactory())


def step(client: Client, legal_request: LegalRequest, name: str, data: dict | None = None) -> Any:
    return client.post(
        f"/admin/liaison/legalrequest/{legal_request.pk}/review/{name}/", data or {}, follow=True
    )


@pytest.mark.django_db
def test_two_staff_members_approve_and_fulfil_in_admin(authority: Member, accounts: Any) -> None:
    first, second = staff_client(), staff_client()
    legal_request = route(
        submit(
            authority,
            kind="EMERGENCY_DISCLOSURE",
            legal_basis="18 U.S.C. 2702(b)(8) emergency disclosure",
        )
    )
    page = first.get(f"/admin/liaison/legalrequest/{legal_request.pk}/change/").content.decode()
    assert "Start legal review" in page
    assert 'name="_save"' not in page
    step(first, legal_request, "start")
    step(first, legal_request, "analysis", {k: v for k, v in ALL_CHECKS.items() if v})
    page = step(first, legal_request, "approve").content.decode()
    assert "Approve: done" in page
    again = step(first, legal_request, "approve").content.decode()
    assert "different staff member" in again
    assert Approval.objects.count() == 1
    step(second, legal_request, "approve")
    legal_request.refresh_from_db()
    assert legal_request.status == "APPROVED"
    refused = step(second, legal_request, "fulfil", {"confirm": "on"}).content.decode()
    assert "callback" in refused
    assert not DisclosurePackage.objects.exists()
    form = first.get(f"/admin/liaison/legalrequest/{legal_request.pk}/review/callback/")
    assert authority.organization.callback_phone in form.content.decode()
    step(first, legal_request, "callback", {"officer_name": "KHK Weber", "confirmed": "on"})
    step(second, legal_request, "fulfil", {"confirm": "on"})
    legal_request.refresh_from_db()
    assert legal_request.status == "FULFILLED"
    page = first.get(f"/admin/liaison/legalrequest/{legal_request.pk}/change/").content.decode()
    assert "disclosure_package.created" in page  # the audit trail is shown with the request
    assert "KHK Weber" in page


@pytest.mark.django_db
def test_reject_with_a_reason_code_in_admin(authority: Member) -> None:
    client = staff_client()
    legal_request = route(submit(authority))
    step(client, legal_request, "start")
    step(client, legal_request, "reject", {"reason_code": "SUSPECTED_FORGERY", "note": "Spoofed"})
    legal_request.refresh_from_db()
    assert (legal_request.status, legal_request.rejection_reason) == (
        "REJECTED",
        "SUSPECTED_FORGERY",
    )


@pytest.mark.django_db
def test_the_audit_log_is_read_only_in_admin(authority: Member) -> None:
    client = sign_in_staff(Client(), SuperuserFactory())  # the audit log is not a group's
    route(submit(authority))
    from liaison.models import AuditEntry

    entry = AuditEntry.objects.first()
    assert client.get("/admin/liaison/auditentry/").status_code == 200
    page = client.get(f"/admin/liaison/auditentry/{entry.pk}/change/").content.decode()
    assert 'name="_save"' not in page
    assert client.get("/admin/liaison/auditentry/add/").status_code == 403
    assert client.post(f"/admin/liaison/auditentry/{entry.pk}/delete/").status_code == 403
    assert client.get("/admin/liaison/webhookdelivery/").status_code == 200


@pytest.mark.django_db
def test_non_staff_cannot_reach_review_steps(authority: Member) -> None:
    legal_request = route(submit(authority))
    client = Client()
    client.force_login(authority.membership.user)
    response = client.post(f"/admin/liaison/legalrequest/{legal_request.pk}/review/start/")
    assert response.status_code == 302  # to the admin login
    legal_request.refresh_from_db()
    assert legal_request.status == "ROUTED"


@pytest.mark.parametrize(
    ("status", "kind", "steps"),
    [
        ("RECEIVED", "DATA_DISCLOSURE", []),
        ("ROUTED", "DATA_DISCLOSURE", ["start"]),
        (
            "UNDER_REVIEW",
            "DATA_DISCLOSURE",
            ["analysis", "approve", "reject", "clarify", "cannot_comply"],
        ),
        (
            "UNDER_REVIEW",
            "EMERGENCY_DISCLOSURE",
            ["analysis", "approve", "reject", "clarify", "cannot_comply", "callback"],
        ),
        # The table lets staff take a request back into review without waiting for the answer.
        ("NEEDS_INFO", "DATA_DISCLOSURE", ["start", "analysis"]),
        ("NEEDS_INFO", "EMERGENCY_DISCLOSURE", ["start", "analysis", "callback"]),
        ("APPROVED", "DATA_DISCLOSURE", ["fulfil"]),
        ("APPROVED", "EMERGENCY_DISCLOSURE", ["callback", "fulfil"]),
        ("REJECTED", "EMERGENCY_DISCLOSURE", []),
        ("FULFILLED", "DATA_DISCLOSURE", []),
        ("WITHDRAWN", "DATA_DISCLOSURE", []),
    ],
)
def test_the_steps_offered_are_the_staff_moves_of_the_transition_table(
    status: str, kind: str, steps: list[str]
) -> None:
    assert available_steps(LegalRequest(status=status, kind=kind)) == steps
    for name in steps:
        target = REVIEW_STEPS[name].moves_to
        if target is not None:
            assert lifecycle.Role.STAFF in lifecycle.TRANSITIONS[(status, target)]


def test_checklist_labels_come_from_the_review_policy() -> None:
    policy = current_policy()
    for name, asserts in policy.checks:
        assert LegalAnalysis._meta.get_field(name).help_text == f"{capfirst(asserts)}."
        assert AnalysisForm.base_fields[name].label == capfirst(asserts)
    assert list(AnalysisForm.base_fields) == [
        "authority_verified",
        "legal_basis_valid",
        "targets_identified",
        "rules_broken",
        "moderation_reference",
        "data_minimised",
        "proportionate",
        "notes",
    ]


@pytest.mark.django_db
def test_the_review_panel_shows_the_checklist_in_the_policys_words(authority: Member) -> None:
    client = staff_client()
    legal_request = route(submit(authority))
    step(client, legal_request, "start")
    step(client, legal_request, "analysis", {k: v for k, v in ALL_CHECKS.items() if v})
    page = client.get(f"/admin/liaison/legalrequest/{legal_request.pk}/change/").content.decode()
    for name, asserts in current_policy().checks:
        label = capfirst(asserts).replace("'", "&#x27;")
        assert f"{label}: <b>yes</b>" in page, name
