"""Staff admin: verify organizations, revoke tokens, read requests without changing them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from liaison.models import ApiToken, Organization
from tests.conftest import Member
from tests.factories import LegalRequestFactory, SuperuserFactory
from tests.signin import sign_in_staff


@pytest.fixture
def staff_client(db: Any) -> Client:
    # Organizations and tokens are a superuser's (no staff group manages them).
    return sign_in_staff(Client(), SuperuserFactory())


def run_action(client: Client, model: str, action: str, pks: list[Any]) -> Any:
    return client.post(
        f"/admin/liaison/{model}/",
        {"action": action, "_selected_action": [str(pk) for pk in pks]},
        follow=True,
    )


@pytest.mark.django_db
def test_staff_verify_and_unverify_organizations(
    staff_client: Client, authority: Member, gql: Any
) -> None:
    organization = authority.organization
    run_action(staff_client, "organization", "unverify", [organization.pk])
    organization.refresh_from_db()
    assert organization.verification == Organization.Verification.PENDING
    run_action(staff_client, "organization", "verify", [organization.pk])
    organization.refresh_from_db()
    assert organization.is_verified
    assert organization.verified_by is not None


@pytest.mark.django_db
def test_staff_revoke_tokens(staff_client: Client, authority: Member, gql: Any) -> None:
    token = ApiToken.objects.get()
    run_action(staff_client, "apitoken", "revoke", [token.pk])
    token.refresh_from_db()
    assert token.revoked_at is not None
    gql("{ viewer { authenticated } }", token=authority.token, status=401)


@pytest.mark.django_db
def test_token_page_never_shows_the_hash(staff_client: Client, authority: Member) -> None:
    token = ApiToken.objects.get()
    page = staff_client.get(f"/admin/liaison/apitoken/{token.pk}/change/").content.decode()
    assert token.token_hash not in page
    assert authority.token not in page


@pytest.mark.django_db
def test_legal_requests_are_read_only_with_targets_and_timeline(
    staff_client: Client, authority: Member
) -> None:
    request = LegalRequestFactory(
        organization=authority.organization, targets=[("USERNAME", "visible_target")]
    )
    page = staff_client.get(f"/admin/liaison/legalrequest/{request.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "visible_target" in html
    assert 'name="reference"' not in html  # shown, not editable
    assert request.reference in html
    listing = staff_client.get("/admin/liaison/legalrequest/")
    assert request.reference in listing.content.decode()
    assert staff_client.get("/admin/liaison/legalrequest/add/").status_code == 403
