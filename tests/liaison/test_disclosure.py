"""Disclosure packages: exactly phone + IPs in the period, signed, own-organization only."""

from __future__ import annotations

import base64
import csv
import io
import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from strawberry.relay import to_base64

from core.actors import Actor
from liaison import disclosure, review
from liaison.models import AuditEntry, DisclosurePackage, LegalRequest
from tests.conftest import Member
from tests.liaison.conftest import (
    analyse,
    approved,
    attach_signed_order,
    fulfilled,
    route,
    under_review,
)

PACKAGE = """query($id: ID!) { disclosurePackage(requestId: $id) {
  requestId createdAt expiresAt signature signingKeyId json csv
  records { targetKind target phoneNumber ipAddresses { address seenAt } } } }"""
SUBMIT = """mutation($input: SubmitLegalRequestInput!) { submitLegalRequest(input: $input) {
  __typename ... on LegalRequest { id status periodStart periodEnd }
  ... on OperationInfo { messages { field code message } } } }"""


def gid(legal_request: LegalRequest) -> str:
    return to_base64("LegalRequest", str(legal_request.pk))


def read_package(gql: Any, member: Member, legal_request: Any) -> Any:
    request_id = legal_request if isinstance(legal_request, str) else gid(legal_request)
    return gql(PACKAGE, {"id": request_id}, token=member.token)["data"]["disclosurePackage"]


def verify_with_published_key(client: Client, message: bytes, signature: str) -> bool:
    published = client.get("/.well-known/liaison-signing-key").json()
    assert published["algorithm"] == "Ed25519"
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(published["public_key"]))
    try:
        key.verify(base64.b64decode(signature), message)
    except Exception:
        return False
    return True


@pytest.mark.django_db
def test_from_submission_to_a_verified_package_through_the_api(
    gql: Any, client: Client, authority: Member, staff_one: Actor, staff_two: Actor, accounts: Any
) -> None:
    now = timezone.now()
    result = gql(
        SUBMIT,
        {
            "input": {
                "kind": "DATA_DISCLOSURE",
                "category": "FRAUD",
                "reference": "AZ 9/26",
                "legalBasis": "Court order",
                "jurisdiction": "DE",
                "summary": "Fraud.",
                "targets": [
                    {"kind": "USERNAME", "value": "@Fraud_Boss"},
                    {"kind": "USERNAME", "value": "nobody_here"},
                ],
                "dataCategories": ["IP_ADDRESSES", "PHONE_NUMBER"],
                "periodStart": (now - timedelta(days=30)).isoformat(),
                "periodEnd": (now - timedelta(minutes=1)).isoformat(),
            }
        },
        token=authority.token,
    )["data"]["submitLegalRequest"]
    assert result["__typename"] == "LegalRequest", result
    legal_request = LegalRequest.objects.get()
    route(legal_request)
    review.legal_request_start_review(actor=staff_one, legal_request=legal_request)
    assert read_package(gql, authority, result["id"]) is None  # nothing before fulfilment
    attach_signed_order(authority, legal_request)  # the EPOC certificate
    analyse(staff_one, legal_request)
    review.legal_request_approve(actor=staff_one, legal_request=legal_request)
    review.legal_request_approve(actor=staff_two, legal_request=legal_request)
    disclosure.legal_request_fulfil(actor=staff_one, legal_request=legal_request)

    package = read_package(gql, authority, result["id"])
    assert package["requestId"] == result["id"]
    boss, nobody = package["records"]
    assert boss["target"] == "fraud_boss"
    assert boss["phoneNumber"] == "+4915123456789"
    # Exactly the two IPs inside the period: not the older one, not another account's.
    assert sorted(ip["address"] for ip in boss["ipAddresses"]) == ["2001:db8::7", "203.0.113.7"]
    assert nobody == {
        "targetKind": "USERNAME",
        "target": "nobody_here",
        "phoneNumber": None,
        "ipAddresses": [],
    }
    # The json field is exactly the signed bytes; the signature verifies with the published key.
    assert verify_with_published_key(client, package["json"].encode(), package["signature"])
    records = json.loads(package["json"])
    assert set(records[0]) == {"target_kind", "target", "phone_number", "ip_addresses"}
    canonical = json.dumps(records, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical == package["json"]
    rows = list(csv.DictReader(io.StringIO(package["csv"])))
    assert [(r["target"], r["ip_address"]) for r in rows] == [
        ("fraud_boss", ip["address"]) for ip in records[0]["ip_addresses"]
    ] + [("nobody_here", "")]
    # The public key is in the schema too.
    key = gql("{ signingKey { algorithm publicKey keyId } }")["data"]["signingKey"]
    assert key["publicKey"] == client.get("/.well-known/liaison-signing-key").json()["public_key"]
    assert package["signingKeyId"] == key["keyId"]
    # Every read is audited.
    reads = AuditEntry.objects.filter(action="disclosure_package.read")
    assert reads.count() == 1
    assert reads.get().organization_id == authority.organization.pk


@pytest.mark.parametrize(
    ("categories", "keys"),
    [
        (["IP_ADDRESSES"], {"target_kind", "target", "ip_addresses"}),
        (["PHONE_NUMBER"], {"target_kind", "target", "phone_number"}),
    ],
)
@pytest.mark.django_db
def test_only_the_requested_categories_are_disclosed(
    gql: Any,
    authority: Member,
    staff_one: Actor,
    staff_two: Actor,
    accounts: Any,
    categories: list[str],
    keys: set[str],
) -> None:
    legal_request = fulfilled(authority, staff_one, staff_two, data_categories=categories)
    package = read_package(gql, authority, legal_request)
    assert set(json.loads(package["json"])[0]) == keys
    record = package["records"][0]
    if "phone_number" not in keys:
        assert record["phoneNumber"] is None
        assert "+4915123456789" not in package["json"] + package["csv"]
    else:
        assert record["ipAddresses"] is None
        assert "203.0.113.7" not in package["json"] + package["csv"]


@pytest.mark.django_db
def test_foreign_package_is_not_found(
    gql: Any,
    authority: Member,
    other_authority: Member,
    staff_one: Actor,
    staff_two: Actor,
    accounts: Any,
) -> None:
    legal_request = fulfilled(authority, staff_one, staff_two)
    foreign = gql(PACKAGE, {"id": gid(legal_request)}, token=other_authority.token)
    missing = gql(
        PACKAGE, {"id": to_base64("LegalRequest", str(uuid.uuid4()))}, token=other_authority.token
    )
    assert foreign == missing == {"data": {"disclosurePackage": None}}
    assert gql(PACKAGE, {"id": gid(legal_request)}) == {"data": {"disclosurePackage": None}}
    assert not AuditEntry.objects.filter(action="disclosure_package.read").exists()


@pytest.mark.django_db
def test_expired_package_is_not_found(
    gql: Any, authority: Member, staff_one: Actor, staff_two: Actor, accounts: Any
) -> None:
    legal_request = fulfilled(authority, staff_one, staff_two)
    package = DisclosurePackage.objects.get()
    assert timedelta(days=29) < package.expires_at - timezone.now() <= timedelta(days=30)
    DisclosurePackage.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert read_package(gql, authority, legal_request) is None


@pytest.mark.django_db
def test_tampered_package_is_refused_and_recorded(
    gql: Any, client: Client, authority: Member, staff_one: Actor, staff_two: Actor, accounts: Any
) -> None:
    legal_request = fulfilled(authority, staff_one, staff_two)
    package = DisclosurePackage.objects.get()
    records = package.records
    records[0]["phone_number"] = "+4915199999999"
    DisclosurePackage.objects.update(records=records)
    assert not verify_with_published_key(
        client,
        json.dumps(records, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(),
        package.signature,
    )
    assert read_package(gql, authority, legal_request) is None
    refusal = AuditEntry.objects.get(action="disclosure_package.refused")
    assert "tampered" in refusal.details["refusal"]


@pytest.mark.parametrize(
    ("outcome", "code", "message"),
    [
        (
            "rejected",
            "invalid_transition",
            "Only an approved request can be fulfilled (it is REJECTED).",
        ),
        (
            "withdrawn",
            "invalid_transition",
            "Only an approved request can be fulfilled (it is WITHDRAWN).",
        ),
        (
            "unapproved",
            "invalid_transition",
            "Only an approved request can be fulfilled (it is UNDER_REVIEW).",
        ),
        (
            "one_approval",
            "invalid_transition",
            "Only an approved request can be fulfilled (it is UNDER_REVIEW).",
        ),
        # APPROVED, but one of its two approvals is gone: the release check itself refuses.
        (
            "approval_gone",
            "release_refused",
            "Disclosure needs approvals from 2 different staff members.",
        ),
    ],
)
@pytest.mark.django_db
def test_no_data_without_a_full_approval(
    gql: Any,
    authority: Member,
    staff_one: Actor,
    staff_two: Actor,
    accounts: Any,
    outcome: str,
    code: str,
    message: str,
) -> None:
    if outcome in ("withdrawn", "approval_gone"):
        legal_request = approved(authority, staff_one, staff_two)
        assert legal_request.status == "APPROVED"
        if outcome == "withdrawn":
            review.legal_request_withdraw(actor=authority.actor, legal_request=legal_request)
        else:
            legal_request.approvals.last().delete()
    else:
        legal_request = under_review(authority, staff_one)
        analyse(staff_one, legal_request)
        if outcome == "rejected":
            review.legal_request_reject(
                actor=staff_one, legal_request=legal_request, reason_code="NO_RULE_VIOLATION"
            )
        elif outcome == "one_approval":
            review.legal_request_approve(actor=staff_one, legal_request=legal_request)
    status_before = LegalRequest.objects.get(pk=legal_request.pk).status
    with pytest.raises(ValidationError) as refused:
        disclosure.legal_request_fulfil(actor=staff_two, legal_request=legal_request)
    assert refused.value.code == code
    assert refused.value.messages == [message]
    assert LegalRequest.objects.get(pk=legal_request.pk).status == status_before
    assert not DisclosurePackage.objects.exists()
    assert read_package(gql, authority, legal_request) is None


@pytest.mark.django_db
def test_a_package_is_not_released_if_its_approvals_disappear(
    gql: Any, authority: Member, staff_one: Actor, staff_two: Actor, accounts: Any
) -> None:
    legal_request = fulfilled(authority, staff_one, staff_two)
    assert read_package(gql, authority, legal_request) is not None
    legal_request.approvals.last().delete()
    assert read_package(gql, authority, legal_request) is None


@pytest.mark.parametrize(
    ("period", "field", "code"),
    [
        ({"periodStart": "2026-01-01T00:00:00Z"}, "periodEnd", "period_incomplete"),
        (
            {"periodStart": "2026-02-01T00:00:00Z", "periodEnd": "2026-01-01T00:00:00Z"},
            "periodEnd",
            "period_order",
        ),
        (
            {"periodStart": "2024-01-01T00:00:00Z", "periodEnd": "2026-01-01T00:00:00Z"},
            "periodStart",
            "period_too_long",
        ),
        (
            {"periodStart": "2026-01-01T00:00:00Z", "periodEnd": "2099-01-01T00:00:00Z"},
            "periodEnd",
            "period_in_future",
        ),
        (
            {"periodStart": "2026-01-01T00:00:00", "periodEnd": "2026-02-01T00:00:00"},
            "periodStart",
            "naive_datetime",
        ),
    ],
)
@pytest.mark.django_db
def test_bad_periods_are_field_errors_and_nothing_is_stored(
    gql: Any, authority: Member, period: dict, field: str, code: str
) -> None:
    result = gql(
        SUBMIT,
        {
            "input": {
                "kind": "DATA_DISCLOSURE",
                "category": "FRAUD",
                "reference": "AZ 9/26",
                "legalBasis": "Court order",
                "jurisdiction": "DE",
                "summary": "Fraud.",
                "targets": [{"kind": "USERNAME", "value": "fraud_boss"}],
                "dataCategories": ["IP_ADDRESSES"],
                **period,
            }
        },
        token=authority.token,
    )["data"]["submitLegalRequest"]
    assert result["__typename"] == "OperationInfo"
    assert (field, code) in [(m["field"], m["code"]) for m in result["messages"]]
    assert not LegalRequest.objects.exists()


@pytest.mark.django_db
def test_a_disclosure_without_a_period_covers_the_default_period(
    gql: Any, authority: Member
) -> None:
    from tests.liaison.test_submit import submit

    result = submit(gql, authority)
    assert result["__typename"] == "LegalRequest"
    legal_request = LegalRequest.objects.get()
    assert legal_request.period_end - legal_request.period_start == timedelta(days=90)


@pytest.mark.django_db
def test_signing_key_file_is_generated_once_and_private(settings: Any, tmp_path: Any) -> None:
    from liaison import signing

    settings.SIGNING_KEY = ""
    settings.SIGNING_KEY_PATH = tmp_path / "var" / "signing-key.pem"
    first = signing.public_key_info()
    assert settings.SIGNING_KEY_PATH.stat().st_mode & 0o777 == 0o600
    signing.signing_key.cache_clear()
    assert signing.public_key_info() == first
