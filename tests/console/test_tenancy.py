"""Tenancy in the console: every page with another organization's id is 404, exactly like a
missing id; lists show nothing of another organization."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from console import services
from console.models import Invitation
from core.graphql.ids import encode_global_id
from liaison.models import ApiToken, LegalDocument, LegalRequest
from tests.conftest import Member
from tests.console.conftest import console_client
from tests.factories import LegalRequestFactory
from tests.liaison.conftest import fulfilled

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def foreign_things(
    foreigner: Member, staff_one: Any, staff_two: Any, accounts: Any, media_root: Any
) -> dict[str, Any]:
    """Another organization's request (fulfilled, with a package), document, token,
    membership and invitation."""
    legal_request = fulfilled(foreigner, staff_one, staff_two)
    open_request = LegalRequestFactory(organization=foreigner.organization, status="NEEDS_INFO")
    from liaison import documents

    document = documents.legal_document_attach(
        actor=foreigner.actor,
        legal_request_id=open_request.pk,
        upload=SimpleUploadedFile("order.pdf", PDF, "application/pdf"),
    )
    invitation = services.invitation_create(
        actor=foreigner.actor,
        organization=foreigner.organization,
        email="new@foreign.example",
        base_url="http://testserver/",
    )
    return {
        "request": legal_request,
        "open_request": open_request,
        "document": document,
        "token": ApiToken.objects.get(membership=foreigner.membership),
        "membership": foreigner.membership,
        "invitation": invitation,
    }


def test_every_page_with_a_foreign_id_is_not_found(
    officer: Member, browser: Client, foreign_things: dict[str, Any]
) -> None:
    fulfilled_request = foreign_things["request"]
    open_request = foreign_things["open_request"]
    missing = uuid.uuid4()
    gets = []
    for key in (
        fulfilled_request.pk,
        encode_global_id("LegalRequest", fulfilled_request.pk),
        missing,
    ):
        base = f"/console/requests/{key}/"
        gets += [base, f"{base}withdraw/", f"{base}package.json", f"{base}package.json.sig",
                 f"{base}package.csv"]  # fmt: skip
    gets.append(f"/console/documents/{foreign_things['document'].pk}/")
    for url in gets:
        assert browser.get(url).status_code == 404, url
    posts = {
        f"/console/requests/{open_request.pk}/answer/": {"answer": "Mine now"},
        f"/console/requests/{open_request.pk}/withdraw/": {},
        f"/console/requests/{open_request.pk}/documents/": {
            "file": SimpleUploadedFile("x.pdf", PDF, "application/pdf")
        },
        f"/console/requests/{open_request.pk}/correct/": {"correction": "Mine now"},
        f"/console/requests/{open_request.pk}/non-disclosure/": {
            "legal_basis": "Mine now",
            "until": "2099-01-01T00:00",
        },
        f"/console/requests/{fulfilled_request.pk}/preservation/extend/": {"confirm": "on"},
        f"/console/tokens/{foreign_things['token'].pk}/revoke/": {},
        f"/console/members/{foreign_things['membership'].pk}/": {"active": "0"},
        f"/console/invitations/{foreign_things['invitation'].pk}/revoke/": {},
    }
    for url, data in posts.items():
        assert browser.post(url, data).status_code == 404, url
    # Nothing changed over there.
    open_request.refresh_from_db()
    assert open_request.status == "NEEDS_INFO"
    assert LegalDocument.objects.filter(legal_request=open_request).count() == 1
    assert ApiToken.objects.usable().filter(pk=foreign_things["token"].pk).exists()
    foreign_things["membership"].refresh_from_db()
    assert foreign_things["membership"].is_active
    assert Invitation.objects.open().filter(pk=foreign_things["invitation"].pk).exists()


def test_lists_show_nothing_of_another_organization(
    officer: Member, browser: Client, foreign_things: dict[str, Any], foreigner: Member
) -> None:
    reference = foreign_things["request"].reference
    assert LegalRequest.objects.filter(reference=reference).exists()
    pages = {
        url: browser.get(url).content.decode()
        for url in (
            "/console/",
            f"/console/?q={reference}",
            "/console/tokens/",
            "/console/members/",
            "/console/settings/",
            "/console/statistics/",
        )
    }
    for url, page in pages.items():
        assert f">{reference}</a>" not in page, url  # (the search box echoes the query)
        assert foreigner.membership.user.email not in page, url
        assert foreign_things["token"].prefix not in page, url
        assert "new@foreign.example" not in page, url


def test_the_foreign_member_sees_their_own(
    foreigner: Member, foreign_things: dict[str, Any]
) -> None:
    """The same URLs work for their owner: the 404s above are tenancy, not broken pages."""
    browser = console_client(foreigner)
    legal_request = foreign_things["request"]
    assert browser.get(f"/console/requests/{legal_request.pk}/").status_code == 200
    assert browser.get(f"/console/requests/{legal_request.pk}/package.json").status_code == 200
    assert browser.get(f"/console/documents/{foreign_things['document'].pk}/").status_code == 200
