"""API tokens: stored hashed, found by prefix, refused once expired or revoked."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from liaison import organizations, tokens
from liaison.models import ApiToken, Organization
from tests.conftest import Member

VIEWER = "{ viewer { authenticated email organization { name kind country verified } } }"


@pytest.mark.django_db
def test_token_is_stored_as_a_hash_and_identifies_its_member(gql: Any, authority: Member) -> None:
    token = ApiToken.objects.get()
    assert authority.token not in {token.prefix, token.token_hash}
    assert token.token_hash == hashlib.sha256(authority.token.encode()).hexdigest()
    viewer = gql(VIEWER, token=authority.token)["data"]["viewer"]
    assert viewer == {
        "authenticated": True,
        "email": authority.membership.user.email,
        "organization": {
            "name": authority.organization.name,
            "kind": "AUTHORITY",
            "country": "DE",
            "verified": True,
        },
    }
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.django_db
def test_anonymous_viewer_is_not_authenticated(gql: Any) -> None:
    assert gql(VIEWER)["data"]["viewer"] == {
        "authenticated": False,
        "email": None,
        "organization": None,
    }


@pytest.mark.django_db
def test_expired_token_is_refused(gql: Any, authority: Member) -> None:
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    body = gql(VIEWER, token=authority.token, status=401)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.django_db
def test_revoked_token_is_refused_at_once(gql: Any, authority: Member) -> None:
    gql(VIEWER, token=authority.token)
    tokens.api_token_revoke(token=ApiToken.objects.get())
    gql(VIEWER, token=authority.token, status=401)


@pytest.mark.parametrize(
    "forged",
    [
        "lp_xxxxxxxx_nope",
        "garbage",
        "lp__",
        "Bearer",
        "lp_{prefix}_wrong-secret-but-right-prefix-000000",
    ],
)
@pytest.mark.django_db
def test_unknown_or_tampered_tokens_are_refused(gql: Any, authority: Member, forged: str) -> None:
    prefix = ApiToken.objects.get().prefix
    gql(VIEWER, token=forged.format(prefix=prefix), status=401)


@pytest.mark.django_db
def test_inactive_membership_cannot_use_its_token(gql: Any, authority: Member) -> None:
    authority.membership.is_active = False
    authority.membership.save()
    gql(VIEWER, token=authority.token, status=401)


@pytest.mark.django_db
def test_non_bearer_authorization_is_refused(client: Any) -> None:
    response = client.post(
        "/graphql/",
        data={"query": VIEWER},
        content_type="application/json",
        HTTP_AUTHORIZATION="Basic abc",
    )
    assert response.status_code == 401


@pytest.mark.django_db
def test_org_register_and_token_issue_commands_print_slug_and_token_last(gql: Any) -> None:
    out = StringIO()
    call_command(
        "org_register",
        kind="authority",
        name="Politie Amsterdam",
        country="nl",
        verify=True,
        stdout=out,
        stderr=StringIO(),
    )
    slug = out.getvalue().strip().splitlines()[-1]
    organization = Organization.objects.get(slug=slug)
    assert (organization.kind, organization.country, organization.is_verified) == (
        "AUTHORITY",
        "NL",
        True,
    )

    out = StringIO()
    call_command(
        "token_issue",
        org=slug,
        email="Rechercheur@Politie.nl",
        expires_days=7,
        stdout=out,
        stderr=StringIO(),
    )
    token = out.getvalue().strip().splitlines()[-1]
    viewer = gql(VIEWER, token=token)["data"]["viewer"]
    assert viewer["email"] == "rechercheur@politie.nl"
    assert viewer["organization"]["name"] == "Politie Amsterdam"
    expires = ApiToken.objects.get().expires_at
    assert timedelta(days=6, hours=23) < expires - timezone.now() <= timedelta(days=7)


@pytest.mark.django_db
def test_org_register_refuses_bad_country_and_kind_clearly() -> None:
    with pytest.raises(CommandError, match="country"):
        call_command(
            "org_register",
            kind="authority",
            name="X",
            country="Neverland",
            stdout=StringIO(),
            stderr=StringIO(),
        )
    with pytest.raises(CommandError, match="No organization"):
        call_command(
            "token_issue", org="missing", email="a@b.c", stdout=StringIO(), stderr=StringIO()
        )
    assert not Organization.objects.exists()


@pytest.mark.django_db
def test_registered_organization_is_pending_until_verified(gql: Any) -> None:
    organization = organizations.organization_register(kind="NGO", name="Hope Line", country="BE")
    assert not organization.is_verified
    assert organization.slug == "hope-line-be"
    again = organizations.organization_register(kind="NGO", name="Hope Line", country="BE")
    assert again.slug == "hope-line-be-2"
