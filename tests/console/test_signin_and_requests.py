"""The console's sign-in rules and the request pages: list and filters, the submission form
(the API's validation and messages), the request page (desk, deadline, answer, withdrawal,
documents, the signed package)."""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from liaison import review
from liaison.models import LegalDocument, LegalRequest
from tests.conftest import Member, make_member
from tests.console.conftest import console_client
from tests.factories import LegalRequestFactory, UserFactory
from tests.liaison.conftest import fulfilled, under_review

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "kind": "DATA_DISCLOSURE",
        "category": "FRAUD",
        "reference": "AZ 7/26",
        "legal_basis": "Court order",
        "jurisdiction": "DE",
        "summary": "Investment fraud ring.",
        "target_kind_0": "USERNAME",
        "target_value_0": "fraud_boss",
        "data_categories": ["IP_ADDRESSES"],
        "idempotency_key": "k-1",
    }
    data.update(overrides)
    return data


def errors_of(response: Any) -> list[str]:
    return re.findall(r'class="error" id="id_(\w+?)_error\d*">([^<]*)<', response.content.decode())


# Sign-in -------------------------------------------------------------------------------------


def test_signed_out_goes_to_sign_in(client: Client) -> None:
    response = client.get("/console/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=%2Fconsole%2F")


def test_a_password_alone_does_not_open_the_console(officer: Member) -> None:
    browser = console_client(officer, second_factor=False)
    response = browser.get("/console/")  # no factor enrolled yet: enrol one first
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/"
    from core.signin import totp_ensure

    totp_ensure(user=officer.membership.user)
    response = browser.get("/console/tokens/")  # enrolled, not proven in this session
    assert response.status_code == 302
    assert response["Location"].startswith(
        "/accounts/2fa/reauthenticate/?next=%2Fconsole%2Ftokens%2F"
    )


def test_an_account_without_membership_is_refused(db: Any) -> None:
    user = UserFactory()
    browser = Client()
    browser.force_login(user)
    assert browser.get("/console/").status_code == 403


def test_a_deactivated_member_is_refused(officer: Member, colleague: Member) -> None:
    browser = console_client(colleague)
    assert browser.get("/console/").status_code == 200
    colleague.membership.is_active = False
    colleague.membership.save()
    assert browser.get("/console/").status_code == 403


def test_an_idle_session_is_signed_out(browser: Client, settings: Any, clock: Any) -> None:
    assert browser.get("/console/").status_code == 200
    clock.advance(minutes=settings.CONSOLE_IDLE_TIMEOUT.total_seconds() / 60 + 1)
    response = browser.get("/console/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in browser.session


def test_csrf_is_enforced(officer: Member) -> None:
    browser = console_client(officer)
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = browser.cookies
    assert strict.post("/console/tokens/", {"label": "x", "expires_in_days": 5}).status_code == 403
    assert strict.post("/console/requests/new/", form_data()).status_code == 403


# The list ------------------------------------------------------------------------------------


def test_list_filters(officer: Member, browser: Client) -> None:
    now = timezone.now()
    org = officer.organization
    overdue = LegalRequestFactory(organization=org, reference="OVER-1", status="ROUTED",
                                  due_at=now - timedelta(hours=1))  # fmt: skip
    soon = LegalRequestFactory(organization=org, reference="SOON-1", status="ROUTED",
                               due_at=now + timedelta(hours=3), jurisdiction="AT")  # fmt: skip
    later = LegalRequestFactory(organization=org, reference="LATER-1", status="UNDER_REVIEW",
                                kind="PRESERVATION", due_at=now + timedelta(days=5))  # fmt: skip
    done = LegalRequestFactory(organization=org, reference="DONE-1", status="FULFILLED",
                               due_at=now - timedelta(days=1))  # fmt: skip
    foreign = LegalRequestFactory(reference="FOREIGN-1")

    def listed(query: str) -> set[str]:
        page = browser.get(f"/console/?{query}").content.decode()
        return {r.reference for r in (overdue, soon, later, done, foreign) if r.reference in page}

    assert listed("") == {"OVER-1", "SOON-1", "LATER-1", "DONE-1"}
    assert listed("due=overdue") == {"OVER-1"}
    assert listed("due=soon") == {"SOON-1"}
    assert listed("status=UNDER_REVIEW") == {"LATER-1"}
    assert listed("kind=PRESERVATION") == {"LATER-1"}
    assert listed("jurisdiction=at") == {"SOON-1"}
    assert listed("reference=done") == {"DONE-1"}
    assert listed("q=FOREIGN") == set()
    assert listed("status=BOGUS").issuperset(set())  # a bad filter is ignored, never a 500
    assert browser.get("/console/?status=BOGUS&page=x").status_code == 200


# Submission ----------------------------------------------------------------------------------


def test_submit_shows_desk_and_deadline_at_once(
    policy: None, officer: Member, browser: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # routing runs after the commit
        response = browser.post("/console/requests/new/", form_data())
    assert response.status_code == 302, errors_of(response)
    legal_request = LegalRequest.objects.get(reference="AZ 7/26")
    assert legal_request.organization_id == officer.organization.pk
    assert response["Location"] == f"/console/requests/{legal_request.pk}/"
    page = browser.get(response["Location"]).content.decode()
    legal_request.refresh_from_db()
    assert legal_request.handling_desk
    assert legal_request.due_at
    assert legal_request.handling_desk in page
    assert f"{legal_request.due_at:%Y-%m-%d %H:%M} UTC" in page
    # The same form posted again (double click) is the same request: the idempotency key.
    assert browser.post("/console/requests/new/", form_data()).status_code == 302
    assert LegalRequest.objects.filter(reference="AZ 7/26").count() == 1


SUBMIT = """mutation($input: SubmitLegalRequestInput!) { submitLegalRequest(input: $input) {
  __typename ... on OperationInfo { messages { field message code } } } }"""


@pytest.mark.parametrize(
    ("overrides", "api_input", "expected_fields"),
    [
        (
            {"reference": "", "summary": "", "data_categories": []},
            {"reference": "", "summary": "", "dataCategories": []},
            {"reference", "summary", "data_categories"},
        ),
        (
            {"target_kind_0": "PHONE_NUMBER", "target_value_0": "12"},
            {"targets": [{"kind": "PHONE_NUMBER", "value": "12"}]},
            {"target_value_0"},
        ),
        ({"jurisdiction": "XX"}, {"jurisdiction": "XX"}, {"jurisdiction"}),
        (
            {"kind": "CONTENT_REMOVAL", "target_kind_0": "USER_ID", "target_value_0": "42"},
            {
                "kind": "CONTENT_REMOVAL",
                "targets": [{"kind": "USER_ID", "value": "42"}],
                "dataCategories": [],
            },
            {"target_kind_0", "data_categories"},
        ),
    ],
)
def test_bad_input_gets_the_apis_field_errors_and_nothing_is_stored(
    officer: Member, browser: Client, gql: Any, overrides: dict, api_input: dict,
    expected_fields: set[str],
) -> None:  # fmt: skip
    if overrides.get("kind") == "CONTENT_REMOVAL":
        overrides["data_categories"] = ["IP_ADDRESSES"]
        api_input["dataCategories"] = ["IP_ADDRESSES"]
    response = browser.post("/console/requests/new/", form_data(**overrides))
    assert response.status_code == 400
    page_errors = errors_of(response)
    assert {field for field, _ in page_errors} == expected_fields
    if "reference" in expected_fields:  # the input names its error for screen readers
        assert re.search(
            r'name="reference"[^>]*aria-describedby="id_reference_error"[^>]*aria-invalid="true"',
            response.content.decode(),
        )
    base = {
        "kind": "DATA_DISCLOSURE", "category": "FRAUD", "reference": "AZ 7/26",
        "legalBasis": "Court order", "jurisdiction": "DE", "summary": "Investment fraud ring.",
        "targets": [{"kind": "USERNAME", "value": "fraud_boss"}], "dataCategories": ["IP_ADDRESSES"],
    }  # fmt: skip
    answer = gql(SUBMIT, {"input": {**base, **api_input}}, token=officer.token)
    api_messages = sorted(m["message"] for m in answer["data"]["submitLegalRequest"]["messages"])
    from html import unescape

    assert sorted(unescape(message) for _, message in page_errors) == api_messages
    assert LegalRequest.objects.count() == 0


def test_an_ngo_gets_the_kind_refusal_of_the_api(ngo_admin: Member) -> None:
    browser = console_client(ngo_admin)
    page = browser.get("/console/requests/new/").content.decode()
    assert 'value="MODERATION_NOTICE"' in page
    assert 'value="DATA_DISCLOSURE"' not in page
    response = browser.post("/console/requests/new/", form_data())
    assert ("kind", "NGOs may only send MODERATION_NOTICE requests.") in errors_of(response)


def test_an_unverified_organization_is_told_so(officer: Member, browser: Client) -> None:
    officer.organization.verification = "PENDING"
    officer.organization.save()
    response = browser.post("/console/requests/new/", form_data())
    assert response.status_code == 400
    assert "not verified yet" in response.content.decode()
    assert LegalRequest.objects.count() == 0


# The request page ----------------------------------------------------------------------------


def test_request_page_by_uuid_and_by_global_id(officer: Member, browser: Client) -> None:
    legal_request = LegalRequestFactory(organization=officer.organization, reference="AZ-G")
    from core.graphql.ids import encode_global_id

    for key in (str(legal_request.pk), encode_global_id("LegalRequest", legal_request.pk)):
        assert b"AZ-G" in browser.get(f"/console/requests/{key}/").content
    assert browser.get("/console/requests/not-an-id/").status_code == 404


def test_answer_a_clarification(officer: Member, browser: Client, staff_one: Any) -> None:
    legal_request = under_review(officer, staff_one)
    review.legal_request_ask_clarification(
        actor=staff_one, legal_request=legal_request, question="Which court issued the order?"
    )
    url = f"/console/requests/{legal_request.pk}/"
    assert "Which court issued the order?" in browser.get(url).content.decode()
    empty = browser.post(f"{url}answer/", {"answer": "   "})
    assert empty.status_code == 400
    assert errors_of(empty) == [("answer", "This field is required.")]
    response = browser.post(f"{url}answer/", {"answer": "AG Berlin-Tiergarten, 12 Gs 34/26."})
    assert response.status_code == 302
    legal_request.refresh_from_db()
    assert legal_request.status == "UNDER_REVIEW"
    assert "AG Berlin-Tiergarten" in browser.get(url).content.decode()
    again = browser.post(f"{url}answer/", {"answer": "Once more."})  # nothing asked now
    assert again.status_code == 400


def test_withdraw_asks_first(officer: Member, browser: Client) -> None:
    legal_request = LegalRequestFactory(organization=officer.organization, status="ROUTED")
    url = f"/console/requests/{legal_request.pk}/withdraw/"
    confirm = browser.get(url)
    assert b"Yes, withdraw the request" in confirm.content
    legal_request.refresh_from_db()
    assert legal_request.status == "ROUTED"
    assert browser.post(url).status_code == 302
    legal_request.refresh_from_db()
    assert legal_request.status == "WITHDRAWN"
    assert browser.post(url).status_code == 400  # not twice


def test_document_upload_keeps_the_services_rules(officer: Member, browser: Client) -> None:
    legal_request = LegalRequestFactory(organization=officer.organization, status="ROUTED")
    url = f"/console/requests/{legal_request.pk}/documents/"
    bad = browser.post(url, {"file": SimpleUploadedFile("order.pdf", b"hello", "application/pdf")})
    assert bad.status_code == 400
    assert errors_of(bad) == [("file", "The file is not a PDF (it does not start with %PDF-).")]
    good = browser.post(url, {"file": SimpleUploadedFile("order.pdf", PDF, "application/pdf")})
    assert good.status_code == 302
    document = LegalDocument.objects.get(legal_request=legal_request)
    download = browser.get(f"/console/documents/{document.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


def test_package_downloads_verify(
    officer: Member, browser: Client, staff_one: Any, staff_two: Any, accounts: Any
) -> None:
    legal_request = fulfilled(officer, staff_one, staff_two)
    base = f"/console/requests/{legal_request.pk}/"
    page = browser.get(base).content.decode()
    assert "Disclosure package" in page
    assert "Ed25519PublicKey" in page
    records = browser.get(f"{base}package.json")
    signature = browser.get(f"{base}package.json.sig")
    csv = browser.get(f"{base}package.csv")
    assert records.status_code == signature.status_code == csv.status_code == 200
    assert "attachment" in records["Content-Disposition"]
    key = json.loads(browser.get("/.well-known/liaison-signing-key").content)
    public_key = Ed25519PublicKey.from_public_bytes(base64.b64decode(key["public_key"]))
    public_key.verify(base64.b64decode(signature.content), records.content)  # raises if wrong
    assert json.loads(records.content)[0]["target"] == "fraud_boss"
    assert (
        csv.content.decode().splitlines()[0] == "target_kind,target,phone_number,ip_address,seen_at"
    )
    from liaison.models import AuditEntry

    assert AuditEntry.objects.filter(action="disclosure_package.read").count() == 3


def test_no_package_before_fulfilment(officer: Member, browser: Client) -> None:
    legal_request = LegalRequestFactory(organization=officer.organization, status="ROUTED")
    assert browser.get(f"/console/requests/{legal_request.pk}/package.json").status_code == 404


def test_statistics_count_own_notices(ngo_admin: Member) -> None:
    other = make_member()
    for category in ("CHILD_SAFETY", "CHILD_SAFETY", "TERRORISM"):
        LegalRequestFactory(organization=ngo_admin.organization, kind="MODERATION_NOTICE",
                            category=category)  # fmt: skip
    LegalRequestFactory(organization=other.organization, kind="MODERATION_NOTICE",
                        category="FRAUD")  # fmt: skip
    page = console_client(ngo_admin).get("/console/statistics/").content.decode()
    month = timezone.now().strftime("%Y-%m")
    cells = re.findall(r'data-label="(?:Month|Category|Notices)">([^<]*)<', page)
    assert cells == [month, "CHILD_SAFETY", "2", month, "TERRORISM", "1"]
    assert 'href="/hotline/"' in page
