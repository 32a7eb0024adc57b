"""Documents where the law requires them (issue 10, item 8): "legal basis and document valid"
cannot be ticked without an attached document for the instruments that require one (EPOC
certificate, removal order, court order ...): a field error in the service and in admin."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from strawberry.relay import to_base64

from core.actors import Actor
from liaison import review, submission
from liaison.models import LegalAnalysis, LegalRequest
from tests.conftest import Member
from tests.liaison.conftest import ALL_CHECKS, SIGNED_ORDER, route, submit
from tests.signin import sign_in_staff

ATTACH = """mutation($id: ID!, $file: Upload!) { attachLegalDocument(requestId: $id, file: $file) {
  __typename ... on LegalDocument { filename sha256 }
  ... on OperationInfo { messages { field code } } } }"""


def under_review(member: Member, staff: Actor, **fields: Any) -> LegalRequest:
    legal_request = route(submit(member, with_document=False, **fields))
    return review.legal_request_start_review(actor=staff, legal_request=legal_request)


def attach_through_the_api(client: Client, member: Member, legal_request: LegalRequest) -> None:
    response = client.post(
        "/graphql/",
        {
            "operations": json.dumps(
                {
                    "query": ATTACH,
                    "variables": {
                        "id": to_base64("LegalRequest", str(legal_request.pk)),
                        "file": None,
                    },
                }
            ),
            "map": json.dumps({"0": ["variables.file"]}),
            "0": SimpleUploadedFile("epoc.pdf", SIGNED_ORDER, content_type="application/pdf"),
        },
        HTTP_AUTHORIZATION=f"Bearer {member.token}",
    )
    assert response.json()["data"]["attachLegalDocument"]["filename"] == "epoc.pdf"


@pytest.mark.django_db
def test_an_epoc_without_its_certificate_cannot_have_a_valid_legal_basis(
    authority: Member, staff_one: Actor, client: Client
) -> None:
    legal_request = under_review(authority, staff_one)  # DE disclosure: an EPOC
    assert legal_request.instrument == "EU_EPOC"
    with pytest.raises(ValidationError) as refused:
        review.legal_analysis_record(actor=staff_one, legal_request=legal_request, **ALL_CHECKS)
    assert [(f, [e.code for e in errors]) for f, errors in refused.value.error_dict.items()] == [
        ("legal_basis_valid", ["document_required"])
    ]
    assert "EPOC certificate" in refused.value.messages[0]
    assert not LegalAnalysis.objects.exists()  # nothing half-stored
    # The other boxes can be recorded meanwhile.
    review.legal_analysis_record(
        actor=staff_one, legal_request=legal_request, **{**ALL_CHECKS, "legal_basis_valid": False}
    )
    # Once the authority attached it (through the API), the box can be ticked.
    attach_through_the_api(client, authority, legal_request)
    analysis = review.legal_analysis_record(
        actor=staff_one, legal_request=legal_request, **ALL_CHECKS
    )
    assert analysis.legal_basis_valid


@pytest.mark.django_db
def test_an_instrument_without_a_mandatory_document_needs_none(
    authority: Member, staff_one: Actor
) -> None:
    legal_request = under_review(
        authority,
        staff_one,
        kind="PRESERVATION",
        jurisdiction="US",
        legal_basis="18 U.S.C. 2703(f) preservation request",
        data_categories=None,
        period_start=None,
        period_end=None,
    )
    assert legal_request.instrument == "US_2703F_PRESERVATION"
    analysis = review.legal_analysis_record(
        actor=staff_one, legal_request=legal_request, **ALL_CHECKS
    )
    assert analysis.legal_basis_valid


@pytest.mark.django_db
def test_the_admin_checklist_shows_the_error_on_the_box(
    authority: Member, staff_one: Actor
) -> None:
    under_review(
        authority,
        staff_one,
        kind="CONTENT_REMOVAL",
        category="TERRORISM",
        jurisdiction="FR",
        legal_basis="Removal order (Reg. (EU) 2021/784, Art. 3)",
        targets=[submission.TargetSpec(kind="MESSAGE_LINK", value="https://t.me/bad_channel/4")],
        data_categories=None,
        period_start=None,
        period_end=None,
    )
    legal_request = LegalRequest.objects.get()
    assert legal_request.instrument == "TCO_REMOVAL_ORDER"
    browser = sign_in_staff(Client(), staff_one.user)
    data = {name: "on" if value is True else value for name, value in ALL_CHECKS.items()}
    response = browser.post(
        f"/admin/liaison/legalrequest/{legal_request.pk}/review/analysis/", data
    )
    assert response.status_code == 200  # the form again, not a redirect
    form = response.context["form"]
    assert form.errors["legal_basis_valid"][0].startswith("A request under TCO removal order")
    assert "removal order template" in response.content.decode()
    assert not LegalAnalysis.objects.filter(legal_request=legal_request).exists()
