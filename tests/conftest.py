"""Fixtures shared by the whole suite: actors with tokens, and a GraphQL client."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from core.actors import Actor
from liaison import tokens
from liaison.models import Membership, Organization
from tests.factories import MembershipFactory, NgoFactory, OrganizationFactory


@dataclass
class Member:
    """A member of an organization with a live API token."""

    membership: Membership
    token: str

    @property
    def organization(self) -> Organization:
        return self.membership.organization

    @property
    def actor(self) -> Actor:
        return Actor(
            user=self.membership.user,
            organization=self.membership.organization,
            membership_id=self.membership.pk,
        )


def make_member(organization: Organization | None = None) -> Member:
    membership = MembershipFactory(organization=organization or OrganizationFactory())
    return Member(membership=membership, token=tokens.api_token_issue(membership=membership).secret)


@pytest.fixture
def authority(db: Any) -> Member:
    """A member of a verified German police authority."""
    return make_member(OrganizationFactory())


@pytest.fixture
def other_authority(db: Any) -> Member:
    """A member of a second, unrelated authority."""
    return make_member(OrganizationFactory(country="FR"))


@pytest.fixture
def ngo(db: Any) -> Member:
    """A member of a verified NGO."""
    return make_member(NgoFactory())


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings: Any) -> None:
    """Each test starts with a generous rate limit; tests of the limit lower it themselves."""
    settings.API_RATE_LIMIT_PER_MINUTE = 100_000
    settings.API_ANONYMOUS_RATE_LIMIT_PER_MINUTE = 100_000


GraphQL = Callable[..., dict[str, Any]]


@pytest.fixture
def gql(client: Client) -> GraphQL:
    """POST a GraphQL operation to /graphql/ and return the decoded JSON body."""

    def run(
        query: str, variables: dict | None = None, *, token: str | None = None, status: int = 200
    ) -> dict[str, Any]:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        response = client.post(
            "/graphql/",
            data=json.dumps({"query": query, "variables": variables or {}}),
            content_type="application/json",
            **headers,
        )
        assert response.status_code == status, response.content
        return response.json()

    return run
