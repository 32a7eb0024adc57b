"""withdrawLegalRequest and answerClarification: own requests only, field-level errors."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from strawberry.relay import to_base64

from core.actors import Actor
from liaison import review, review_policy
from liaison.models import LegalRequest
from tests.conftest import Member
from tests.liaison.conftest import route, submit, under_review

WITHDRAW = """mutation($id: ID!) { withdrawLegalRequest(id: $id) {
  __typename ... on LegalRequest { status timeline { status message } }
  ... on OperationInfo { messages { field code message } } } }"""
ANSWER = """mutation($id: ID!, $answer: String!) { answerClarification(id: $id, answer: $answer) {
  __typename ... on LegalRequest { status }
  ... on OperationInfo { messages { field code message } } } }"""


def gid(pk: object) -> str:
    return to_base64("LegalRequest", str(pk))


@pytest.mark.django_db
def test_withdraw_own_request(gql: Any, authority: Member) -> None:
    legal_request = route(submit(authority))
    result = gql(WITHDRAW, {"id": gid(legal_request.pk)}, token=authority.token)
    result = result["data"]["withdrawLegalRequest"]
    assert result["status"] == "WITHDRAWN"
    assert result["timeline"][-1]["status"] == "WITHDRAWN"
    again = gql(WITHDRAW, {"id": gid(legal_request.pk)}, token=authority.token)
    assert again["data"]["withdrawLegalRequest"]["messages"][0]["code"] == "invalid_transition"


@pytest.mark.parametrize("mutation", ["withdraw", "answer"])
@pytest.mark.django_db
def test_another_organizations_request_is_not_found(
    gql: Any, authority: Member, other_authority: Member, staff_one: Actor, mutation: str
) -> None:
    foreign = under_review(other_authority, staff_one)
    review.legal_request_ask_clarification(
        actor=staff_one, legal_request=foreign, question="Which?"
    )
    query, variables = (
        (WITHDRAW, {}) if mutation == "withdraw" else (ANSWER, {"answer": "This one."})
    )
    on_foreign = gql(query, {"id": gid(foreign.pk), **variables}, token=authority.token)
    on_missing = gql(query, {"id": gid(uuid.uuid4()), **variables}, token=authority.token)
    assert on_foreign == on_missing
    (result,) = on_foreign["data"].values()
    assert result["messages"] == [
        {"field": "id", "code": "not_found", "message": "No legal request with this id."}
    ]
    assert LegalRequest.objects.get(pk=foreign.pk).status == "NEEDS_INFO"


@pytest.mark.django_db
def test_answer_clarification(gql: Any, authority: Member, staff_one: Actor) -> None:
    legal_request = under_review(authority, staff_one)
    early = gql(ANSWER, {"id": gid(legal_request.pk), "answer": "x"}, token=authority.token)
    assert early["data"]["answerClarification"]["messages"][0]["code"] == "invalid_transition"
    review.legal_request_ask_clarification(
        actor=staff_one, legal_request=legal_request, question="Which account?"
    )
    empty = gql(ANSWER, {"id": gid(legal_request.pk), "answer": "  "}, token=authority.token)
    assert empty["data"]["answerClarification"]["messages"][0]["field"] == "answer"
    assert LegalRequest.objects.get(pk=legal_request.pk).status == "NEEDS_INFO"
    result = gql(
        ANSWER, {"id": gid(legal_request.pk), "answer": "fraud_boss"}, token=authority.token
    )
    assert result["data"]["answerClarification"] == {
        "__typename": "LegalRequest",
        "status": "UNDER_REVIEW",
    }


@pytest.mark.django_db
def test_anonymous_callers_cannot_withdraw(gql: Any, authority: Member) -> None:
    legal_request = submit(authority)
    body = gql(WITHDRAW, {"id": gid(legal_request.pk)})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert LegalRequest.objects.get().status == "RECEIVED"


@pytest.mark.django_db
def test_rejection_reason_and_period_are_visible_to_the_authority(
    gql: Any, authority: Member, staff_one: Actor
) -> None:
    legal_request = under_review(authority, staff_one)
    review.legal_request_reject(
        actor=staff_one, legal_request=legal_request, reason_code="LEGAL_BASIS_INVALID"
    )
    query = """query($id: ID!) { legalRequest(id: $id) { status rejectionReason
               reviewPolicyVersion periodStart periodEnd } }"""
    body = gql(query, {"id": gid(legal_request.pk)}, token=authority.token)["data"]["legalRequest"]
    assert body["status"] == "REJECTED"
    assert body["rejectionReason"] == "LEGAL_BASIS_INVALID"
    assert body["reviewPolicyVersion"] == review_policy.REVIEW_POLICY_VERSION
    assert body["periodStart"]
    assert body["periodEnd"]
