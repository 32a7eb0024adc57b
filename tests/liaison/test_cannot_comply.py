"""Cannot comply (e-Evidence Annex III): staff answer with a ground and an explanation; the
authority sees the ground, and corrects (the review resumes) or withdraws."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from strawberry.relay import to_base64

from core.actors import Actor
from liaison import cannot_comply, review
from liaison.models import AuditEntry, CannotComplyGround, CannotComplyNotice, LegalRequest
from tests.conftest import Member
from tests.factories import StaffUserFactory
from tests.liaison.conftest import route, submit, under_review
from tests.signin import sign_in_staff

READ = """query($id: ID!) { legalRequest(id: $id) { status
  cannotComply { ground groundLabel explanation resolution resolvedAt }
  timeline { status message } } }"""
CORRECT = """mutation($id: ID!, $correction: String!) {
  correctLegalRequest(id: $id, correction: $correction) {
    __typename ... on LegalRequest { status cannotComply { ground resolution } }
    ... on OperationInfo { messages { field code message } } } }"""
WITHDRAW = """mutation($id: ID!) { withdrawLegalRequest(id: $id) {
  __typename ... on LegalRequest { status cannotComply { resolution } } } }"""


def gid(pk: object) -> str:
    return to_base64("LegalRequest", str(pk))


def refuse(staff: Actor, legal_request: LegalRequest, ground: str = "DATA_NOT_STORED") -> Any:
    return cannot_comply.legal_request_cannot_comply(
        actor=staff,
        legal_request=legal_request,
        ground=ground,
        explanation="The account was deleted in 2024; nothing is kept.",
    )


@pytest.mark.django_db
def test_every_annex_iii_ground_is_offered() -> None:
    assert set(CannotComplyGround.values) == {
        "INCOMPLETE",
        "MANIFEST_ERRORS",
        "INSUFFICIENT_INFORMATION",
        "DATA_NOT_STORED",
        "DE_FACTO_IMPOSSIBILITY",
        "NOT_COMPETENT_AUTHORITY",
        "CONFLICTING_THIRD_COUNTRY_OBLIGATIONS",
    }


@pytest.mark.django_db
def test_the_authority_sees_the_ground_and_corrects_the_request(
    gql: Any, authority: Member, staff_one: Actor
) -> None:
    legal_request = under_review(authority, staff_one)
    notice = refuse(staff_one, legal_request)
    legal_request.refresh_from_db()
    assert legal_request.status == "NEEDS_INFO"
    assert legal_request.clock_paused_at is not None  # the clock waits for the authority
    read = gql(READ, {"id": gid(legal_request.pk)}, token=authority.token)["data"]["legalRequest"]
    assert read["cannotComply"] == {
        "ground": "DATA_NOT_STORED",
        "groundLabel": "The data requested is not stored",
        "explanation": "The account was deleted in 2024; nothing is kept.",
        "resolution": None,
        "resolvedAt": None,
    }
    assert read["timeline"][-1]["message"].startswith(
        "Cannot comply (e-Evidence Annex III): The data requested is not stored."
    )
    result = gql(
        CORRECT,
        {"id": gid(legal_request.pk), "correction": "The right account is fraud_boss_2."},
        token=authority.token,
    )["data"]["correctLegalRequest"]
    assert result == {
        "__typename": "LegalRequest",
        "status": "UNDER_REVIEW",
        "cannotComply": {"ground": "DATA_NOT_STORED", "resolution": "CORRECTED"},
    }
    notice.refresh_from_db()
    assert notice.correction == "Correction: The right account is fraud_boss_2."
    assert LegalRequest.objects.get(pk=legal_request.pk).clock_paused_at is None
    assert AuditEntry.objects.filter(action="legal_request.cannot_comply").count() == 1
    # Nothing left to correct.
    again = gql(CORRECT, {"id": gid(legal_request.pk), "correction": "x"}, token=authority.token)[
        "data"
    ]["correctLegalRequest"]
    assert again["messages"][0]["code"] == "nothing_to_correct"


@pytest.mark.django_db
def test_the_authority_can_withdraw_instead(gql: Any, authority: Member, staff_one: Actor) -> None:
    legal_request = under_review(authority, staff_one)
    refuse(staff_one, legal_request, "CONFLICTING_THIRD_COUNTRY_OBLIGATIONS")
    result = gql(WITHDRAW, {"id": gid(legal_request.pk)}, token=authority.token)
    assert result["data"]["withdrawLegalRequest"] == {
        "__typename": "LegalRequest",
        "status": "WITHDRAWN",
        "cannotComply": {"resolution": "WITHDRAWN"},
    }


@pytest.mark.parametrize(
    ("ground", "explanation", "field"),
    [("NOPE", "Because.", "ground"), ("INCOMPLETE", "  ", "explanation")],
)
@pytest.mark.django_db
def test_bad_input_is_a_field_error_and_nothing_moves(
    authority: Member, staff_one: Actor, ground: str, explanation: str, field: str
) -> None:
    legal_request = under_review(authority, staff_one)
    with pytest.raises(ValidationError) as bad:
        cannot_comply.legal_request_cannot_comply(
            actor=staff_one, legal_request=legal_request, ground=ground, explanation=explanation
        )
    assert field in bad.value.message_dict
    assert LegalRequest.objects.get(pk=legal_request.pk).status == "UNDER_REVIEW"
    assert not CannotComplyNotice.objects.exists()


@pytest.mark.django_db
def test_only_during_review_and_only_reviewers(authority: Member, staff_one: Actor) -> None:
    legal_request = route(submit(authority))
    with pytest.raises(ValidationError) as early:
        refuse(staff_one, legal_request)
    assert early.value.code == "invalid_status"
    review.legal_request_start_review(actor=staff_one, legal_request=legal_request)
    from core.actors import staff_actor

    officer = staff_actor(StaffUserFactory(groups=["callback_officer"]))
    with pytest.raises(ValidationError) as denied:
        refuse(officer, legal_request)
    assert denied.value.code == "permission_denied"


@pytest.mark.django_db
def test_another_organizations_notice_is_not_found(
    gql: Any, authority: Member, other_authority: Member, staff_one: Actor
) -> None:
    foreign = under_review(other_authority, staff_one)
    refuse(staff_one, foreign)
    assert gql(READ, {"id": gid(foreign.pk)}, token=authority.token) == {
        "data": {"legalRequest": None}
    }
    on_foreign = gql(CORRECT, {"id": gid(foreign.pk), "correction": "x"}, token=authority.token)
    on_missing = gql(CORRECT, {"id": gid(uuid.uuid4()), "correction": "x"}, token=authority.token)
    assert on_foreign == on_missing
    assert on_foreign["data"]["correctLegalRequest"]["messages"][0]["code"] == "not_found"
    assert not CannotComplyNotice.objects.visible_to(authority.actor).exists()
    assert CannotComplyNotice.objects.visible_to(other_authority.actor).count() == 1
    assert LegalRequest.objects.get(pk=foreign.pk).status == "NEEDS_INFO"


@pytest.mark.django_db
def test_cannot_comply_in_admin(authority: Member, staff_one: Actor) -> None:
    legal_request = under_review(authority, staff_one)
    client = sign_in_staff(Client(), StaffUserFactory())
    page = client.get(f"/admin/liaison/legalrequest/{legal_request.pk}/change/").content.decode()
    assert "Cannot comply (e-Evidence Annex III)" in page
    client.post(
        f"/admin/liaison/legalrequest/{legal_request.pk}/review/cannot_comply/",
        {"ground": "MANIFEST_ERRORS", "explanation": "The order names two different people."},
    )
    notice = CannotComplyNotice.objects.get()
    assert notice.ground == "MANIFEST_ERRORS"
    assert LegalRequest.objects.get(pk=legal_request.pk).status == "NEEDS_INFO"


CORRECT_FIELDS = """mutation($id: ID!, $correction: String!, $basis: String) {
  correctLegalRequest(id: $id, correction: $correction, legalBasis: $basis) {
    __typename ... on LegalRequest { status legalBasis }
    ... on OperationInfo { messages { field code message } } } }"""


@pytest.mark.django_db
def test_the_correction_can_fix_the_legal_basis(
    gql: Any, authority: Member, staff_one: Actor
) -> None:
    legal_request = under_review(authority, staff_one)
    refuse(staff_one, legal_request, "MANIFEST_ERRORS")
    blank = gql(
        CORRECT_FIELDS,
        {"id": gid(legal_request.pk), "correction": "Basis fixed.", "basis": "  "},
        token=authority.token,
    )["data"]["correctLegalRequest"]
    assert [(m["field"], m["code"]) for m in blank["messages"]] == [("legalBasis", "blank")]
    assert LegalRequest.objects.get(pk=legal_request.pk).status == "NEEDS_INFO"
    fixed = gql(
        CORRECT_FIELDS,
        {
            "id": gid(legal_request.pk),
            "correction": "Basis fixed.",
            "basis": "Court order, AG Bonn",
        },
        token=authority.token,
    )["data"]["correctLegalRequest"]
    assert fixed == {
        "__typename": "LegalRequest",
        "status": "UNDER_REVIEW",
        "legalBasis": "Court order, AG Bonn",
    }
    (entry,) = AuditEntry.objects.filter(action="legal_request.corrected")
    assert entry.details["changes"]["legal_basis"] == {
        "from": "Court order, AG Berlin",
        "to": "Court order, AG Bonn",
    }
