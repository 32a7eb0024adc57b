"""submitLegalRequest: validation by instrument, idempotency, tenancy of the result."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from core.outbox.models import OutboxEvent
from liaison import submission
from liaison.models import LegalRequest, Organization, TimelineEntry
from tests.conftest import Member

SUBMIT = """
mutation Submit($input: SubmitLegalRequestInput!) {
  submitLegalRequest(input: $input) {
    __typename
    ... on LegalRequest { id reference kind category status jurisdiction dataCategories
                          targets { kind value } timeline { event status } }
    ... on OperationInfo { messages { kind field message code } }
  }
}
"""


def valid_input(**overrides: Any) -> dict[str, Any]:
    base = {
        "kind": "DATA_DISCLOSURE",
        "category": "FRAUD",
        "reference": "AZ 123 Js 456/26",
        "legalBasis": "Court order, AG Berlin",
        "jurisdiction": "de",
        "summary": "Investment fraud channel; we need the operator's IP addresses.",
        "targets": [{"kind": "USERNAME", "value": "@Fraud_Boss"}],
        "dataCategories": ["IP_ADDRESSES", "PHONE_NUMBER"],
    }
    base.update(overrides)
    return base


def submit(gql: Any, member: Member, **overrides: Any) -> dict[str, Any]:
    return gql(SUBMIT, {"input": valid_input(**overrides)}, token=member.token)["data"][
        "submitLegalRequest"
    ]


def errors_by_field(result: dict[str, Any]) -> dict[str | None, str]:
    assert result["__typename"] == "OperationInfo", result
    return {m["field"]: m["code"] for m in result["messages"]}


@pytest.mark.django_db(transaction=True)
def test_submit_stores_request_targets_timeline_and_outbox_event(
    gql: Any, authority: Member
) -> None:
    result = submit(gql, authority)
    assert result["__typename"] == "LegalRequest"
    assert result["status"] == "RECEIVED"
    assert result["jurisdiction"] == "DE"
    assert result["targets"] == [{"kind": "USERNAME", "value": "fraud_boss"}]
    assert result["timeline"] == [{"event": "SUBMITTED", "status": "RECEIVED"}]
    request = LegalRequest.objects.get()
    event = OutboxEvent.objects.get()
    assert event.topic == "legal_request.submitted"
    assert event.payload["legal_request_id"] == str(request.pk)


@pytest.mark.parametrize(
    "kind",
    [
        "DATA_DISCLOSURE",
        "EMERGENCY_DISCLOSURE",
        "PRESERVATION",
        "CONTENT_REMOVAL",
        "MODERATION_NOTICE",
    ],
)
@pytest.mark.django_db
def test_an_authority_can_submit_every_kind(gql: Any, authority: Member, kind: str) -> None:
    overrides: dict[str, Any] = {"kind": kind}
    if kind in ("CONTENT_REMOVAL", "MODERATION_NOTICE"):
        overrides.update(
            dataCategories=None,
            targets=[{"kind": "MESSAGE_LINK", "value": "https://t.me/bad_channel/42"}],
        )
    result = submit(gql, authority, **overrides)
    assert result["__typename"] == "LegalRequest", result
    assert result["kind"] == kind


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"reference": "  "}, "reference", "required"),
        ({"legalBasis": ""}, "legalBasis", "required"),
        ({"summary": ""}, "summary", "required"),
        ({"reference": "x" * 121}, "reference", "max_length"),
        ({"jurisdiction": "XX"}, "jurisdiction", "invalid_country"),
        ({"jurisdiction": "Germany"}, "jurisdiction", "invalid_country"),
        ({"targets": []}, "targets", "required"),
        (
            {"targets": [{"kind": "PHONE_NUMBER", "value": "12345"}]},
            "targets.0.value",
            "invalid_target",
        ),
        (
            {"targets": [{"kind": "PHONE_NUMBER", "value": "+49 000"}]},
            "targets.0.value",
            "invalid_target",
        ),
        ({"targets": [{"kind": "USERNAME", "value": "ab"}]}, "targets.0.value", "invalid_target"),
        (
            {"targets": [{"kind": "USERNAME", "value": "bad-name!"}]},
            "targets.0.value",
            "invalid_target",
        ),
        (
            {"targets": [{"kind": "USERNAME", "value": "trailing_"}]},
            "targets.0.value",
            "invalid_target",
        ),
        ({"targets": [{"kind": "USER_ID", "value": "-5"}]}, "targets.0.value", "invalid_target"),
        (
            {"targets": [{"kind": "MESSAGE_LINK", "value": "https://evil.example/x/1"}]},
            "targets.0.value",
            "invalid_target",
        ),
        (
            {"targets": [{"kind": "MESSAGE_LINK", "value": "https://t.me/channel_x"}]},
            "targets.0.value",
            "invalid_target",
        ),
        (
            {
                "targets": [
                    {"kind": "USERNAME", "value": "dup_user"},
                    {"kind": "USERNAME", "value": "@Dup_User"},
                ]
            },
            "targets.1.value",
            "duplicate_target",
        ),
        ({"dataCategories": None}, "dataCategories", "required"),
        ({"dataCategories": []}, "dataCategories", "required"),
        (
            {
                "kind": "CONTENT_REMOVAL",
                "targets": [{"kind": "MESSAGE_LINK", "value": "t.me/chan_nel/1"}],
            },
            "dataCategories",
            "not_allowed",
        ),
        (
            {
                "kind": "CONTENT_REMOVAL",
                "dataCategories": None,
                "targets": [{"kind": "PHONE_NUMBER", "value": "+4915123456789"}],
            },
            "targets.0.kind",
            "target_kind",
        ),
        ({"idempotencyKey": ""}, "idempotencyKey", "invalid"),
    ],
)
@pytest.mark.django_db
def test_each_validation_rule_names_its_field_and_stores_nothing(
    gql: Any, authority: Member, overrides: dict[str, Any], field: str, code: str
) -> None:
    result = submit(gql, authority, **overrides)
    assert errors_by_field(result).get(field) == code, result
    assert not LegalRequest.objects.exists()
    assert not OutboxEvent.objects.exists()


@pytest.mark.django_db
def test_every_bad_field_is_reported_at_once(gql: Any, authority: Member) -> None:
    result = submit(gql, authority, reference="", jurisdiction="ZZ", dataCategories=None)
    assert set(errors_by_field(result)) == {"reference", "jurisdiction", "dataCategories"}


@pytest.mark.django_db
def test_unknown_data_category_is_refused_by_the_schema(gql: Any, authority: Member) -> None:
    body = gql(
        SUBMIT, {"input": valid_input(dataCategories=["EMAIL_ADDRESSES"])}, token=authority.token
    )
    assert body["data"] is None
    assert "EMAIL_ADDRESSES" in body["errors"][0]["message"]
    assert not LegalRequest.objects.exists()


@pytest.mark.parametrize(
    ("kind", "value", "stored"),
    [
        ("PHONE_NUMBER", "+49 151 2345 6789", "+4915123456789"),
        (
            "PHONE_NUMBER",
            "0151 23456789",
            "+4915123456789",
        ),  # national format, region from jurisdiction
        ("USER_ID", "00012345", "12345"),
        ("CHANNEL", "https://t.me/Some_Channel", "some_channel"),
        ("MESSAGE_LINK", "t.me/Some_Channel/0099", "https://t.me/some_channel/99"),
        ("MESSAGE_LINK", "https://t.me/c/1234567/89", "https://t.me/c/1234567/89"),
    ],
)
@pytest.mark.django_db
def test_targets_are_stored_in_canonical_form(
    gql: Any, authority: Member, kind: str, value: str, stored: str
) -> None:
    result = submit(gql, authority, targets=[{"kind": kind, "value": value}])
    assert result["targets"] == [{"kind": kind, "value": stored}], result


@pytest.mark.django_db
def test_ngo_may_only_send_moderation_notices(gql: Any, ngo: Member) -> None:
    assert errors_by_field(submit(gql, ngo)) == {"kind": "kind_not_allowed"}
    result = submit(
        gql,
        ngo,
        kind="MODERATION_NOTICE",
        category="CHILD_SAFETY",
        dataCategories=None,
        targets=[{"kind": "MESSAGE_LINK", "value": "https://t.me/abuse_channel/7"}],
    )
    assert result["__typename"] == "LegalRequest"


@pytest.mark.django_db
def test_unverified_organization_can_read_but_not_submit(gql: Any, authority: Member) -> None:
    Organization.objects.filter(pk=authority.organization.pk).update(verification="PENDING")
    result = submit(gql, authority)
    assert result["__typename"] == "OperationInfo"
    assert result["messages"][0]["code"] == "organization_unverified"
    assert "not verified" in result["messages"][0]["message"]
    body = gql("{ legalRequests { totalCount } }", token=authority.token)
    assert body["data"]["legalRequests"]["totalCount"] == 0


@pytest.mark.django_db
def test_same_idempotency_key_returns_the_first_request(
    gql: Any, authority: Member, other_authority: Member
) -> None:
    first = submit(gql, authority, idempotencyKey="key-1")
    again = submit(gql, authority, idempotencyKey="key-1", reference="changed")
    assert again["id"] == first["id"]
    assert again["reference"] == first["reference"]
    assert LegalRequest.objects.count() == 1
    assert OutboxEvent.objects.count() == 1
    # The key is scoped to the organization: another authority's key is its own.
    other = submit(gql, other_authority, idempotencyKey="key-1")
    assert other["id"] != first["id"]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submissions_with_one_key_make_one_request(authority: Member) -> None:
    spec = submission.LegalRequestSpec(
        kind="DATA_DISCLOSURE",
        category="FRAUD",
        reference="AZ-1",
        legal_basis="Court order",
        jurisdiction="DE",
        summary="Fraud",
        targets=[submission.TargetSpec(kind="USERNAME", value="fraud_boss")],
        data_categories=["IP_ADDRESSES"],
        idempotency_key="concurrent",
    )
    barrier = threading.Barrier(2)
    results: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(
                str(submission.legal_request_submit(actor=authority.actor, spec=spec).pk)
            )
        except BaseException as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(results)) == 1
    assert LegalRequest.objects.count() == 1
    assert OutboxEvent.objects.count() == 1
    assert TimelineEntry.objects.count() == 1


@pytest.mark.django_db
def test_submission_without_token_is_refused(gql: Any) -> None:
    body = gql(SUBMIT, {"input": valid_input()})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert not LegalRequest.objects.exists()
