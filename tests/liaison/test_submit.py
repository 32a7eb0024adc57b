"""submitLegalRequest: validation by instrument, idempotency, tenancy of the result."""

from __future__ import annotations

import dataclasses
import importlib
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from core.graphql.ids import encode_global_id
from core.outbox.models import OutboxEvent
from liaison import submission
from liaison.models import LegalRequest, Organization, RequestOrigin, TimelineEntry
from tests.conftest import Member
from tests.factories import LegalRequestFactory

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
def test_same_idempotency_key_with_the_same_input_returns_the_first_request(
    gql: Any, authority: Member, other_authority: Member
) -> None:
    first = submit(gql, authority, idempotencyKey="key-1")
    # The same request written differently: the canonical input, not the raw text, is compared
    # (and the default data period, taken from the time of receipt, is not part of it).
    again = submit(
        gql,
        authority,
        idempotencyKey="key-1",
        reference="  AZ 123 Js 456/26 ",
        jurisdiction="DE",
        targets=[{"kind": "USERNAME", "value": "fraud_boss"}],
        dataCategories=["PHONE_NUMBER", "IP_ADDRESSES", "PHONE_NUMBER"],
    )
    assert again["id"] == first["id"]
    assert LegalRequest.objects.count() == 1
    assert OutboxEvent.objects.count() == 1
    # The key is scoped to the organization: another authority's key is its own.
    other = submit(gql, other_authority, idempotencyKey="key-1")
    assert other["id"] != first["id"]


PERIOD = {"periodStart": "2026-01-01T00:00:00Z", "periodEnd": "2026-02-01T00:00:00Z"}


@pytest.mark.parametrize(
    "changed",
    [
        {"reference": "AZ 123 Js 457/26"},
        {"legalBasis": "Subpoena"},
        {"summary": "Another case."},
        {"jurisdiction": "AT"},
        {"category": "VIOLENCE"},
        {"kind": "PRESERVATION"},
        {"targets": [{"kind": "USERNAME", "value": "other_boss"}]},
        {
            "targets": [
                {"kind": "USERNAME", "value": "fraud_boss"},
                {"kind": "USER_ID", "value": "42"},
            ]
        },
        {"dataCategories": ["IP_ADDRESSES"]},
        PERIOD,
    ],
    ids=lambda changed: "+".join(changed),
)
@pytest.mark.django_db
def test_same_idempotency_key_with_another_input_is_a_conflict(
    gql: Any, authority: Member, changed: dict[str, Any]
) -> None:
    first = submit(gql, authority, idempotencyKey="key-1")
    again = submit(gql, authority, idempotencyKey="key-1", **changed)
    assert errors_by_field(again) == {"idempotencyKey": "idempotency_conflict"}
    assert "already used for another request" in again["messages"][0]["message"]
    assert list(LegalRequest.objects.values_list("reference", flat=True)) == [first["reference"]]
    assert OutboxEvent.objects.count() == 1
    assert TimelineEntry.objects.count() == 1


@pytest.mark.django_db
def test_a_given_period_is_part_of_the_input(gql: Any, authority: Member) -> None:
    first = submit(gql, authority, idempotencyKey="key-p", **PERIOD)
    same = submit(
        gql,
        authority,
        idempotencyKey="key-p",
        periodStart="2026-01-01T01:00:00+01:00",  # the same instant, another zone
        periodEnd=PERIOD["periodEnd"],
    )
    assert same["id"] == first["id"]
    other = submit(
        gql, authority, idempotencyKey="key-p", **{**PERIOD, "periodEnd": "2026-02-02T00:00:00Z"}
    )
    assert errors_by_field(other) == {"idempotencyKey": "idempotency_conflict"}
    assert LegalRequest.objects.count() == 1


def concurrent_submissions(
    member: Member, specs: list[submission.LegalRequestSpec]
) -> tuple[list[str], list[BaseException]]:
    """Submit the specs at once, from one thread (and database connection) each, behind a
    barrier; the request ids and the errors."""
    barrier = threading.Barrier(len(specs))
    results: list[str] = []
    errors: list[BaseException] = []

    def worker(spec: submission.LegalRequestSpec) -> None:
        try:
            barrier.wait()
            results.append(str(submission.legal_request_submit(actor=member.actor, spec=spec).pk))
        except BaseException as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(spec,)) for spec in specs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


CONCURRENT_SPEC = submission.LegalRequestSpec(
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


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submissions_with_one_key_make_one_request(authority: Member) -> None:
    results, errors = concurrent_submissions(authority, [CONCURRENT_SPEC, CONCURRENT_SPEC])
    assert not errors
    assert len(set(results)) == 1
    assert LegalRequest.objects.count() == 1
    assert OutboxEvent.objects.count() == 1
    assert TimelineEntry.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submissions_with_one_key_and_different_inputs_store_one(
    authority: Member,
) -> None:
    other = dataclasses.replace(CONCURRENT_SPEC, reference="AZ-2")
    results, errors = concurrent_submissions(authority, [CONCURRENT_SPEC, other])
    assert len(results) == 1
    (error,) = errors
    assert isinstance(error, ValidationError)
    assert [e.code for e in error.error_dict["idempotencyKey"]] == ["idempotency_conflict"]
    stored = LegalRequest.objects.get()
    assert str(stored.pk) == results[0]
    assert OutboxEvent.objects.count() == 1
    assert TimelineEntry.objects.count() == 1


@pytest.mark.django_db
def test_hotline_report_keys_keep_the_chats_retry_rule(ngo: Member) -> None:
    """The chat derives a report's key from the message's client id, and its reference from the
    time: a resent urgent message returns its first request (never a conflict)."""
    report = submission.LegalRequestSpec(
        kind="MODERATION_NOTICE",
        category="CHILD_SAFETY",
        reference="HL-1-101500",
        legal_basis="Trusted flagger notice",
        jurisdiction="DE",
        summary="Abuse material in https://t.me/abuse_channel/7",
        targets=[submission.TargetSpec(kind="MESSAGE_LINK", value="https://t.me/abuse_channel/7")],
        idempotency_key="hotline:1:cm-1",
        origin=RequestOrigin.HOTLINE,
    )
    first = submission.legal_request_submit(actor=ngo.actor, spec=report)
    resent = dataclasses.replace(report, reference="HL-1-101502")
    assert submission.legal_request_submit(actor=ngo.actor, spec=resent) == first
    assert LegalRequest.objects.count() == 1


def fingerprint_migration() -> Any:
    return importlib.import_module("liaison.migrations.0009_request_idempotency_fingerprint")


@pytest.mark.django_db
def test_the_data_migration_fingerprints_stored_requests_as_intake_does(
    authority: Member,
) -> None:
    """Rows stored before fingerprints get the one intake would compute for their input, so
    that their keys keep returning them; also with the default data period."""
    given_period = dataclasses.replace(
        CONCURRENT_SPEC,
        idempotency_key="with-period",
        period_start=timezone.now() - timedelta(days=30),
        period_end=timezone.now() - timedelta(days=1),
        targets=[
            submission.TargetSpec(kind="USERNAME", value="fraud_boss"),
            submission.TargetSpec(kind="PHONE_NUMBER", value="+4915123456789"),
        ],
    )
    specs = [CONCURRENT_SPEC, given_period]
    stored = [submission.legal_request_submit(actor=authority.actor, spec=spec) for spec in specs]
    fingerprints = [legal_request.idempotency_fingerprint for legal_request in stored]
    assert all(len(fingerprint) == 64 for fingerprint in fingerprints)
    assert len(set(fingerprints)) == 2
    unkeyed = LegalRequestFactory(organization=authority.organization)
    LegalRequest.objects.update(idempotency_fingerprint="")

    fingerprint_migration().fill_fingerprints(apps, None)

    assert [
        LegalRequest.objects.get(pk=legal_request.pk).idempotency_fingerprint
        for legal_request in stored
    ] == fingerprints
    assert LegalRequest.objects.get(pk=unkeyed.pk).idempotency_fingerprint == ""
    assert [submission.stored_fingerprint(legal_request) for legal_request in stored] == (
        fingerprints
    )
    # And the old keys keep working: the same input returns the request, another conflicts.
    for spec, legal_request in zip(specs, stored, strict=True):
        assert submission.legal_request_submit(actor=authority.actor, spec=spec) == legal_request
    with pytest.raises(ValidationError) as conflict:
        submission.legal_request_submit(
            actor=authority.actor, spec=dataclasses.replace(given_period, summary="Other")
        )
    assert conflict.value.error_dict["idempotencyKey"][0].code == "idempotency_conflict"


@pytest.mark.django_db
def test_the_data_migration_writes_stored_keys_as_the_api_now_cleans_them(
    gql: Any, authority: Member
) -> None:
    """The API trims and NFC-normalises an idempotency key now: a key stored with surrounding
    spaces is rewritten so, unless that would take another request's key."""
    organization = authority.organization
    padded = LegalRequestFactory(organization=organization, idempotency_key=" key-7\u200b")
    taken = LegalRequestFactory(organization=organization, idempotency_key="key-8")
    clash = LegalRequestFactory(organization=organization, idempotency_key="key-8 ")

    fingerprint_migration().fill_fingerprints(apps, None)

    keys = dict(LegalRequest.objects.values_list("pk", "idempotency_key"))
    assert keys == {padded.pk: "key-7", taken.pk: "key-8", clash.pk: "key-8 "}
    again = {
        "reference": padded.reference,
        "legalBasis": padded.legal_basis,
        "summary": padded.summary,
        "targets": [{"kind": "USERNAME", "value": "fraudster_1"}],
        "dataCategories": ["IP_ADDRESSES"],
    }
    result = submit(gql, authority, idempotencyKey=" key-7 ", **again)
    assert result["id"] == encode_global_id("LegalRequest", padded.pk)


@pytest.mark.django_db
def test_a_keyed_request_without_a_fingerprint_is_compared_by_its_stored_fields(
    authority: Member,
) -> None:
    legacy = LegalRequestFactory(
        organization=authority.organization,
        submitted_by=authority.membership.user,
        reference="AZ-1",
        summary="Fraud",
        idempotency_key="concurrent",
        targets=[("USERNAME", "fraud_boss")],
        period_start=None,
        period_end=None,
    )
    assert legacy.idempotency_fingerprint == ""
    assert submission.legal_request_submit(actor=authority.actor, spec=CONCURRENT_SPEC) == legacy
    with pytest.raises(ValidationError) as conflict:
        submission.legal_request_submit(
            actor=authority.actor, spec=dataclasses.replace(CONCURRENT_SPEC, reference="AZ-2")
        )
    assert conflict.value.error_dict["idempotencyKey"][0].code == "idempotency_conflict"


@pytest.mark.django_db
def test_submission_without_token_is_refused(gql: Any) -> None:
    body = gql(SUBMIT, {"input": valid_input()})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert not LegalRequest.objects.exists()
