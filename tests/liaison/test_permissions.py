"""Least privilege for staff in the legal review (issue 9, item 7).

Before: any `is_staff` user could approve and fulfil disclosures. Now every review service asks
one predicate of liaison.permissions: `legal_reviewer` starts reviews, records the analysis,
asks for clarification, approves, rejects and fulfils; `callback_officer` records emergency
callbacks; a staff member without the group is refused with `permission_denied`, in the service
and in admin (no button, and a POST is refused); four eyes still take two different reviewers.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.test import Client

from core.actors import Actor, staff_actor
from liaison import disclosure, lifecycle, permissions, review
from liaison.models import Approval, CallbackVerification, LegalAnalysis, LegalRequest
from tests.conftest import Member
from tests.factories import StaffUserFactory, SuperuserFactory
from tests.liaison.conftest import ALL_CHECKS, analyse, approved, route, submit, under_review
from tests.signin import sign_in_staff

EMERGENCY = {
    "kind": "EMERGENCY_DISCLOSURE",
    "legal_basis": "18 U.S.C. 2702(b)(8) emergency disclosure",
}


def staff(*groups: str) -> Actor:
    return staff_actor(StaffUserFactory(groups=list(groups)))


def code_of(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return next(iter(error.error_dict.values()))[0].code or ""
    return error.error_list[0].code or ""


def refused(call: Callable[[], object]) -> ValidationError:
    with pytest.raises(ValidationError) as excinfo:
        call()
    assert code_of(excinfo.value) == "permission_denied"
    return excinfo.value


# Each service: (its name, a request in the state it acts on, the call, the group it takes).
def _routed(member: Member, reviewer: Actor) -> LegalRequest:
    return route(submit(member, **EMERGENCY))


def _under_review(member: Member, reviewer: Actor) -> LegalRequest:
    return under_review(member, reviewer, **EMERGENCY)


def _analysed(member: Member, reviewer: Actor) -> LegalRequest:
    legal_request = under_review(member, reviewer, **EMERGENCY)
    analyse(reviewer, legal_request)
    return legal_request


def _approved(member: Member, reviewer: Actor) -> LegalRequest:
    second = staff(permissions.LEGAL_REVIEWER)
    legal_request = approved(member, reviewer, second, **EMERGENCY)
    review.legal_request_record_callback(
        actor=staff(permissions.CALLBACK_OFFICER),
        legal_request=legal_request,
        officer_name="KHK Weber",
        confirmed=True,
    )
    return legal_request


SERVICES: list[tuple[str, Any, Callable[[Actor, LegalRequest], object], str]] = [
    (
        "start_review",
        _routed,
        lambda actor, lr: review.legal_request_start_review(actor=actor, legal_request=lr),
        permissions.LEGAL_REVIEWER,
    ),
    (
        "record_analysis",
        _under_review,
        lambda actor, lr: review.legal_analysis_record(actor=actor, legal_request=lr, **ALL_CHECKS),
        permissions.LEGAL_REVIEWER,
    ),
    (
        "ask_clarification",
        _under_review,
        lambda actor, lr: review.legal_request_ask_clarification(
            actor=actor, legal_request=lr, question="Which account exactly?"
        ),
        permissions.LEGAL_REVIEWER,
    ),
    (
        "approve",
        _analysed,
        lambda actor, lr: review.legal_request_approve(actor=actor, legal_request=lr),
        permissions.LEGAL_REVIEWER,
    ),
    (
        "reject",
        _under_review,
        lambda actor, lr: review.legal_request_reject(
            actor=actor, legal_request=lr, reason_code="SUSPECTED_FORGERY"
        ),
        permissions.LEGAL_REVIEWER,
    ),
    (
        "record_callback",
        _under_review,
        lambda actor, lr: review.legal_request_record_callback(
            actor=actor, legal_request=lr, officer_name="KHK Weber", confirmed=True
        ),
        permissions.CALLBACK_OFFICER,
    ),
    (
        "fulfil",
        _approved,
        lambda actor, lr: disclosure.legal_request_fulfil(actor=actor, legal_request=lr),
        permissions.LEGAL_REVIEWER,
    ),
]
ALL_GROUPS = ["legal_reviewer", "callback_officer", "switchboard", "policy_admin"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "prepare", "call", "group"), SERVICES, ids=[s[0] for s in SERVICES]
)
def test_each_review_service_refuses_staff_without_its_group_and_allows_it_with(
    authority: Member, accounts: Any, name: str, prepare: Any, call: Any, group: str
) -> None:
    legal_request = prepare(authority, staff(permissions.LEGAL_REVIEWER))
    before = LegalRequest.objects.get(pk=legal_request.pk).status
    others = [g for g in ALL_GROUPS if g != group]
    for actor in (staff(), staff(*others)):  # no group at all; every group but the one it takes
        error = refused(lambda actor=actor: call(actor, legal_request))
        assert group in error.messages[0]  # the refusal says what it takes
        assert LegalRequest.objects.get(pk=legal_request.pk).status == before
    call(staff(group), legal_request)  # the group is enough


@pytest.mark.django_db
def test_the_lifecycle_refuses_staff_moves_without_the_group(authority: Member) -> None:
    """Whoever calls the one service that moves a request, a staff move takes its group."""
    legal_request = route(submit(authority))
    for actor in (staff(), staff(permissions.CALLBACK_OFFICER, "switchboard", "policy_admin")):
        refused(
            lambda actor=actor: lifecycle.legal_request_transition(
                actor=actor, legal_request=legal_request, to_status="UNDER_REVIEW", reason="x"
            )
        )
    lifecycle.legal_request_transition(
        actor=staff(permissions.LEGAL_REVIEWER),
        legal_request=legal_request,
        to_status="UNDER_REVIEW",
        reason="x",
    )
    assert set(permissions.STAFF_MOVES) == {
        to for (_, to), roles in lifecycle.TRANSITIONS.items() if lifecycle.Role.STAFF in roles
    }


@pytest.mark.django_db
def test_superusers_keep_everything(authority: Member, accounts: Any) -> None:
    root, other_root = staff_actor(SuperuserFactory()), staff_actor(SuperuserFactory())
    legal_request = approved(authority, root, other_root)
    fulfilled = disclosure.legal_request_fulfil(actor=root, legal_request=legal_request)
    assert fulfilled.status == "FULFILLED"


@pytest.mark.django_db
def test_an_inactive_reviewer_is_refused(authority: Member) -> None:
    reviewer = staff(permissions.LEGAL_REVIEWER)
    reviewer.user.is_active = False
    reviewer.user.save(update_fields=["is_active"])
    legal_request = route(submit(authority))
    refused(lambda: review.legal_request_start_review(actor=reviewer, legal_request=legal_request))


@pytest.mark.django_db
def test_four_eyes_take_two_different_legal_reviewers(authority: Member, accounts: Any) -> None:
    first, second = staff(permissions.LEGAL_REVIEWER), staff(permissions.LEGAL_REVIEWER)
    officer = staff(permissions.CALLBACK_OFFICER, "switchboard", "policy_admin")
    legal_request = under_review(authority, first)
    analyse(first, legal_request)
    review.legal_request_approve(actor=first, legal_request=legal_request)
    with pytest.raises(ValidationError) as excinfo:  # the same reviewer twice
        review.legal_request_approve(actor=first, legal_request=legal_request)
    assert code_of(excinfo.value) == "same_approver"
    # Another staff member who is not a legal reviewer cannot be the second pair of eyes.
    refused(lambda: review.legal_request_approve(actor=officer, legal_request=legal_request))
    legal_request.refresh_from_db()
    assert legal_request.status == "UNDER_REVIEW"
    review.legal_request_approve(actor=second, legal_request=legal_request)
    legal_request.refresh_from_db()
    assert legal_request.status == "APPROVED"
    assert {a.approver_id for a in Approval.objects.filter(legal_request=legal_request)} == {
        first.user.pk,
        second.user.pk,
    }


# Admin -----------------------------------------------------------------------------------------


def change_page(client: Client, legal_request: LegalRequest) -> str:
    response = client.get(f"/admin/liaison/legalrequest/{legal_request.pk}/change/")
    assert response.status_code == 200
    return response.content.decode()


def step_url(legal_request: LegalRequest, step: str) -> str:
    return f"/admin/liaison/legalrequest/{legal_request.pk}/review/{step}/"


@pytest.mark.django_db
def test_admin_offers_only_the_steps_the_user_may_take(authority: Member) -> None:
    reviewer = staff(permissions.LEGAL_REVIEWER)
    legal_request = under_review(authority, reviewer, **EMERGENCY)
    officer = sign_in_staff(Client(), StaffUserFactory(groups=[permissions.CALLBACK_OFFICER]))
    page = change_page(officer, legal_request)
    assert step_url(legal_request, "callback") in page
    for step in ("analysis", "approve", "reject", "clarify"):
        assert step_url(legal_request, step) not in page
    lawyer = sign_in_staff(Client(), reviewer.user)
    page = change_page(lawyer, legal_request)
    for step in ("analysis", "approve", "reject", "clarify"):
        assert step_url(legal_request, step) in page
    assert step_url(legal_request, "callback") not in page


@pytest.mark.django_db
def test_admin_refuses_a_step_the_user_may_not_take(authority: Member) -> None:
    reviewer = staff(permissions.LEGAL_REVIEWER)
    legal_request = under_review(authority, reviewer, **EMERGENCY)
    analyse(reviewer, legal_request)
    officer = sign_in_staff(Client(), StaffUserFactory(groups=[permissions.CALLBACK_OFFICER]))
    assert officer.get(step_url(legal_request, "approve")).status_code == 403
    assert officer.post(step_url(legal_request, "approve"), {"note": ""}).status_code == 403
    assert (
        officer.post(step_url(legal_request, "reject"), {"reason_code": "OTHER"}).status_code == 403
    )
    assert not Approval.objects.filter(legal_request=legal_request).exists()
    legal_request.refresh_from_db()
    assert legal_request.status == "UNDER_REVIEW"
    # The callback is the officer's to record.
    response = officer.post(
        step_url(legal_request, "callback"),
        {"officer_name": "KHK Weber", "confirmed": "on"},
        follow=True,
    )
    assert "done" in response.content.decode()
    assert CallbackVerification.objects.filter(legal_request=legal_request).exists()


@pytest.mark.django_db
def test_staff_without_a_group_cannot_open_the_requests(authority: Member) -> None:
    legal_request = route(submit(authority))
    nobody = sign_in_staff(Client(), StaffUserFactory(groups=[]))
    assert nobody.get(f"/admin/liaison/legalrequest/{legal_request.pk}/change/").status_code == 403
    assert nobody.post(step_url(legal_request, "start"), {"note": ""}).status_code == 403
    legal_request.refresh_from_db()
    assert legal_request.status == "ROUTED"
    assert not LegalAnalysis.objects.exists()


# The groups --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_groups_hold_their_permissions() -> None:
    StaffUserFactory()  # makes sure the groups exist (a flush empties them)
    reviewer = Group.objects.get(name=permissions.LEGAL_REVIEWER)
    held = {f"{p.content_type.app_label}.{p.codename}" for p in reviewer.permissions.all()}
    assert {permissions.REVIEW, permissions.FULFIL} <= held
    assert permissions.RECORD_CALLBACK not in held
    officer = Group.objects.get(name=permissions.CALLBACK_OFFICER)
    held = {f"{p.content_type.app_label}.{p.codename}" for p in officer.permissions.all()}
    assert {permissions.RECORD_CALLBACK, permissions.CHANGE_ORGANIZATION} <= held
    assert not {permissions.REVIEW, permissions.FULFIL} & held


@pytest.mark.django_db
def test_callback_officers_change_organizations_and_reviewers_do_not() -> None:
    from liaison import verification
    from tests.factories import OrganizationFactory

    organization = OrganizationFactory()
    changed = verification.organization_change(
        actor=staff(permissions.CALLBACK_OFFICER),
        organization=organization,
        changes={"contact_email": "desk@police.example"},
    )
    assert changed.contact_email == "desk@police.example"
    refused(
        lambda: verification.organization_change(
            actor=staff(permissions.LEGAL_REVIEWER, "switchboard"),
            organization=organization,
            changes={"contact_email": "other@police.example"},
        )
    )


def test_the_migration_creates_the_groups_the_app_defines() -> None:
    """The migrations write their groups out (as they were then); together they must still
    match."""
    granted: dict[str, set[str]] = {}
    for name in (
        "0010_staff_permissions",
        "0019_staff_view_preservations",
        "0021_callback_officers_verify_organizations",
    ):
        migration = importlib.import_module(f"liaison.migrations.{name}")
        for group, perms in migration.GROUPS.items():
            granted.setdefault(group, set()).update(perms)
    assert granted == {name: set(perms) for name, perms in permissions.STAFF_GROUPS.items()}
