"""legalRequests: newest first, Relay pagination, page size limit and a constant query count."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from liaison.models import LegalDocument
from tests.conftest import Member
from tests.factories import LegalRequestFactory, TimelineEntryFactory

PAGE = """query($first: Int, $after: String) {
  legalRequests(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { reference status kind dueAt handlingTeam { name }
                   targets { kind value } timeline { event status at } } }
  }
}"""


def make_requests(member: Member, count: int) -> list[Any]:
    now = timezone.now()
    requests = []
    for i in range(count):
        request = LegalRequestFactory(
            organization=member.organization,
            reference=f"REF-{i:03d}",
            submitted_at=now - timedelta(minutes=count - i),
            handling_desk="Law Enforcement Response EU" if i % 2 else "",
            targets=[("USERNAME", f"user_{i}_a"), ("PHONE_NUMBER", f"+491512345{i:04d}")],
        )
        TimelineEntryFactory(legal_request=request)
        TimelineEntryFactory(legal_request=request, event="ROUTED", status="ROUTED")
        requests.append(request)
    return requests


@pytest.mark.django_db
def test_newest_first_and_cursor_pagination(gql: Any, authority: Member) -> None:
    make_requests(authority, 5)
    first = gql(PAGE, {"first": 2}, token=authority.token)["data"]["legalRequests"]
    assert first["totalCount"] == 5
    assert [e["node"]["reference"] for e in first["edges"]] == ["REF-004", "REF-003"]
    assert first["pageInfo"]["hasNextPage"] is True
    second = gql(PAGE, {"first": 3, "after": first["pageInfo"]["endCursor"]}, token=authority.token)
    page = second["data"]["legalRequests"]
    assert [e["node"]["reference"] for e in page["edges"]] == ["REF-002", "REF-001", "REF-000"]
    assert page["pageInfo"]["hasNextPage"] is False
    node = page["edges"][0]["node"]
    assert node["handlingTeam"] is None
    assert [t["kind"] for t in node["targets"]] == ["USERNAME", "PHONE_NUMBER"]
    assert first["edges"][1]["node"]["handlingTeam"] == {"name": "Law Enforcement Response EU"}


@pytest.mark.django_db
def test_page_size_above_100_is_refused(gql: Any, authority: Member) -> None:
    body = gql(PAGE, {"first": 101}, token=authority.token)
    assert body["data"] is None
    assert "cannot be higher than 100" in body["errors"][0]["message"]
    body = gql(PAGE, {"first": 100}, token=authority.token)
    assert "errors" not in body


@pytest.mark.django_db
def test_default_page_is_at_most_100(gql: Any, authority: Member) -> None:
    make_requests(authority, 101)
    body = gql(
        "{ legalRequests { totalCount edges { node { reference } } } }", token=authority.token
    )
    assert body["data"]["legalRequests"]["totalCount"] == 101
    assert len(body["data"]["legalRequests"]["edges"]) == 100


@pytest.mark.django_db
def test_query_count_does_not_grow_with_page_size(gql: Any, authority: Member) -> None:
    make_requests(authority, 100)
    gql("{ viewer { authenticated } }", token=authority.token)  # records last_used_at once
    counts = {}
    for size in (1, 10, 100):
        with CaptureQueriesContext(connection) as queries:
            body = gql(PAGE, {"first": size}, token=authority.token)
        assert len(body["data"]["legalRequests"]["edges"]) == size
        counts[size] = len(queries.captured_queries)
    # token lookup, page of requests (with the total count as a window), targets, timeline
    assert counts == {1: 4, 10: 4, 100: 4}, counts


@pytest.mark.django_db
def test_nested_scoped_relations_are_prefetched_once(gql: Any, authority: Member) -> None:
    """Every nested type scopes its rows (visible_to) inside the one prefetch query per relation."""
    requests = make_requests(authority, 30)
    for request in requests:
        LegalDocument.objects.create(
            legal_request=request,
            organization=authority.organization,
            uploaded_by=request.submitted_by,
            file="legal-documents/none.pdf",
            filename=f"{request.reference}.pdf",
            size=1,
            sha256="0" * 64,
        )
    query = PAGE.replace(
        "timeline { event status at }", "timeline { event } documents { filename }"
    )
    query = query.replace("edges { node {", "edges { node { id")
    gql("{ viewer { authenticated } }", token=authority.token)  # records last_used_at once
    counts = {}
    for size in (1, 30):
        with CaptureQueriesContext(connection) as queries:
            body = gql(query, {"first": size}, token=authority.token)
        nodes = [e["node"] for e in body["data"]["legalRequests"]["edges"]]
        assert [len(n["documents"]) for n in nodes] == [1] * size
        counts[size] = len(queries.captured_queries)
    # token lookup, page of requests, targets, timeline, documents
    assert counts == {1: 5, 30: 5}, counts
