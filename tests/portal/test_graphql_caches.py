"""The parse and validation caches of the GraphQL schema never let a refused operation through."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Member

DEEP = "{ legalRequests(first: 1) { edges { node { reference targets { value } } } } }"


@pytest.mark.django_db
def test_a_refused_operation_is_refused_again_from_the_cache(
    gql: Any, authority: Member, settings: Any
) -> None:
    settings.GRAPHQL_MAX_DEPTH = 3
    for _ in range(3):
        body = gql(DEEP, token=authority.token)
        assert "exceeds maximum operation depth" in body["errors"][0]["message"]


@pytest.mark.django_db
def test_repeated_alias_bomb_is_refused_every_time(gql: Any, authority: Member) -> None:
    sixteen = " ".join(f"a{i}: viewer {{ authenticated }}" for i in range(16))
    for _ in range(3):
        body = gql(f"{{ {sixteen} }}", token=authority.token)
        assert body["errors"][0]["message"].startswith("Too many aliases")


@pytest.mark.django_db
def test_cached_operation_still_runs_per_request_authorization(gql: Any, authority: Member) -> None:
    query = "{ legalRequests(first: 1) { edges { node { reference } } } }"
    assert "errors" not in gql(query, token=authority.token)
    anonymous = gql(query)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
