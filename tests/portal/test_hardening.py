"""The GraphQL endpoint's defences: limits, masking, no hints, no batching, no GET, rate limits."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest

from core.logging import RedactTokensFilter, redact
from liaison import selectors
from tests.conftest import Member

LIST = "{ legalRequests(first: 1) { edges { node { reference targets { value } } } } }"


@pytest.mark.django_db
def test_depth_limit(gql: Any, authority: Member, settings: Any) -> None:
    settings.GRAPHQL_MAX_DEPTH = 3
    body = gql(LIST, token=authority.token)
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]
    settings.GRAPHQL_MAX_DEPTH = 10
    assert "errors" not in gql(LIST, token=authority.token)


@pytest.mark.django_db
def test_alias_limit(gql: Any, authority: Member) -> None:
    fifteen = " ".join(f"a{i}: viewer {{ authenticated }}" for i in range(15))
    assert "errors" not in gql(f"{{ {fifteen} }}", token=authority.token)
    sixteen = fifteen + " a15: viewer { authenticated }"
    body = gql(f"{{ {sixteen} }}", token=authority.token)
    assert body["errors"][0]["message"].startswith("Too many aliases")


@pytest.mark.django_db
def test_alias_limit_counts_through_fragments(gql: Any, authority: Member) -> None:
    query = """
    fragment Many on Viewer { a: authenticated b: authenticated c: email d: email e: isStaff }
    fragment Twice on Query { v1: viewer { ...Many } v2: viewer { ...Many } }
    query { ...Twice x: viewer { ...Many } }
    """
    # 3 viewer aliases + 3 spreads of 5 aliases = 18 > 15, though the text has only 8 aliases.
    body = gql(query, token=authority.token)
    assert body["errors"][0]["message"].startswith("Too many aliases")


@pytest.mark.django_db
def test_token_limit(gql: Any, authority: Member) -> None:
    huge = "{ viewer { " + " ".join(["authenticated"] * 2100) + " } }"
    body = gql(huge, token=authority.token)
    assert body["data"] is None
    assert "token" in body["errors"][0]["message"].lower()


@pytest.mark.django_db
def test_unexpected_errors_are_masked(
    gql: Any, authority: Member, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(**kwargs: Any) -> Any:
        raise RuntimeError("password=hunter2 at db-primary.internal")

    monkeypatch.setattr(selectors, "legal_request_list", explode)
    body = gql(LIST, token=authority.token)
    assert body["errors"][0]["message"] == "Unexpected error."
    assert "hunter2" not in json.dumps(body)
    assert "Traceback" not in json.dumps(body)


@pytest.mark.django_db
def test_no_field_suggestions_for_anonymous_callers(gql: Any, authority: Member) -> None:
    query = "{ viewer { authenticatd } }"
    anonymous = gql(query)["errors"][0]["message"]
    assert "Did you mean" not in anonymous
    assert "authenticatd" in anonymous
    member = gql(query, token=authority.token)["errors"][0]["message"]
    assert "Did you mean 'authenticated'?" in member


@pytest.mark.django_db
def test_query_batching_is_refused(client: Any, authority: Member) -> None:
    batch = [{"query": "{ viewer { authenticated } }"}] * 2
    response = client.post(
        "/graphql/",
        data=json.dumps(batch),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {authority.token}",
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_no_operations_over_get(client: Any, authority: Member) -> None:
    mutation = "mutation { submitLegalRequest(input: {kind: PRESERVATION}) { __typename } }"
    for query in (mutation, "{ viewer { authenticated } }"):
        response = client.get(
            "/graphql/", {"query": query}, HTTP_AUTHORIZATION=f"Bearer {authority.token}"
        )
        assert response.status_code in (400, 405), response.content


@pytest.mark.django_db
def test_malformed_bodies_get_a_clear_400(client: Any) -> None:
    for body, content_type in (
        ("{not json", "application/json"),
        ("[]", "application/json"),
        ("x", "text/plain"),
    ):
        response = client.post("/graphql/", data=body, content_type=content_type)
        assert 400 <= response.status_code < 500, (body, response.status_code)


@pytest.mark.django_db
def test_rate_limit_per_token(
    gql: Any, authority: Member, other_authority: Member, settings: Any
) -> None:
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    for _ in range(3):
        gql("{ viewer { authenticated } }", token=authority.token)
    body = gql("{ viewer { authenticated } }", token=authority.token, status=429)
    error = body["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert "3 requests a minute" in error["message"]
    # Another token has its own budget.
    gql("{ viewer { authenticated } }", token=other_authority.token)


@pytest.mark.django_db
def test_tokens_never_reach_the_logs(
    client: Any, authority: Member, caplog: pytest.LogCaptureFixture
) -> None:
    """What the configured handler writes (settings.LOGGING, filter `redact_tokens`) for two
    requests that do log: a wrong token (401, logged by django.request) and the token pasted
    into the query, which the GraphQL error that strawberry logs echoes back."""
    console = next(
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, RedactTokensFilter) for f in handler.filters)
    )
    assert isinstance(console, logging.StreamHandler)
    written = io.StringIO()
    previous = console.setStream(written)
    wrong = authority.token[:-3] + "xyz"
    try:
        caplog.set_level(logging.DEBUG)
        for token, query, status in (
            (wrong, "{ viewer { authenticated } }", 401),
            (
                authority.token,
                f'{{ legalRequests(first: "{authority.token}") {{ totalCount }} }}',
                200,
            ),
        ):
            response = client.post(
                "/graphql/",
                data=json.dumps({"query": query}),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            )
            assert response.status_code == status
    finally:
        console.setStream(previous)
    logged = {(record.name, record.levelno) for record in caplog.records}
    # The GraphQL error is the client's: one line from the schema's process_errors.
    assert {("django.request", logging.WARNING), ("core.graphql.security", logging.INFO)} <= logged
    output = written.getvalue()
    assert "Unauthorized: /graphql/" in output
    assert 'Int cannot represent non-integer value: "[redacted-token]"' in output
    for secret in (authority.token, wrong):
        assert secret[12:] not in output


def test_redaction_filter_removes_tokens_from_any_record() -> None:
    token = "lp_AbCdEfGh_" + "s" * 43
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "got %s and Bearer %s", (token, "opaque"), None
    )
    RedactTokensFilter().filter(record)
    assert token not in record.getMessage()
    assert "opaque" not in record.getMessage()
    assert redact(f"Authorization: Bearer {token}") == "Authorization: Bearer [redacted]"
