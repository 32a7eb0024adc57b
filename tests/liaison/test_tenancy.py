"""Another organization's request is "not found" through every path, exactly like a missing one."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from strawberry.relay import to_base64

from tests.conftest import Member
from tests.factories import LegalRequestFactory, TimelineEntryFactory

REQUEST_BY_ID = "query($id: ID!) { legalRequest(id: $id) { id reference targets { value } } }"
NODE_BY_ID = "query($id: ID!) { node(id: $id) { id ... on LegalRequest { reference } ... on Organization { name } } }"


@pytest.fixture
def foreign_request(other_authority: Member) -> Any:
    request = LegalRequestFactory(organization=other_authority.organization, reference="SECRET-1")
    TimelineEntryFactory(legal_request=request)
    return request


def gid(type_name: str, pk: object) -> str:
    return to_base64(type_name, str(pk))


@pytest.mark.django_db
def test_own_request_is_found_by_id_and_node(gql: Any, authority: Member) -> None:
    own = LegalRequestFactory(organization=authority.organization)
    body = gql(REQUEST_BY_ID, {"id": gid("LegalRequest", own.pk)}, token=authority.token)
    assert body["data"]["legalRequest"]["reference"] == own.reference
    body = gql(NODE_BY_ID, {"id": gid("LegalRequest", own.pk)}, token=authority.token)
    assert body["data"]["node"]["reference"] == own.reference


@pytest.mark.django_db
def test_foreign_request_is_indistinguishable_from_a_missing_one(
    gql: Any, authority: Member, foreign_request: Any
) -> None:
    for query in (REQUEST_BY_ID, NODE_BY_ID):
        foreign = gql(query, {"id": gid("LegalRequest", foreign_request.pk)}, token=authority.token)
        missing = gql(query, {"id": gid("LegalRequest", uuid.uuid4())}, token=authority.token)
        assert foreign == missing
        assert "SECRET" not in str(foreign)


@pytest.mark.django_db
def test_foreign_organization_node_is_not_found(
    gql: Any, authority: Member, other_authority: Member
) -> None:
    foreign = gql(
        NODE_BY_ID,
        {"id": gid("Organization", other_authority.organization.pk)},
        token=authority.token,
    )
    missing = gql(NODE_BY_ID, {"id": gid("Organization", 999_999)}, token=authority.token)
    assert foreign == missing == {"data": {"node": None}}
    own = gql(
        NODE_BY_ID, {"id": gid("Organization", authority.organization.pk)}, token=authority.token
    )
    assert own["data"]["node"]["name"] == authority.organization.name


@pytest.mark.django_db
def test_list_shows_only_own_requests(gql: Any, authority: Member, foreign_request: Any) -> None:
    own = LegalRequestFactory(organization=authority.organization)
    body = gql(
        "{ legalRequests { totalCount edges { node { reference } } } }", token=authority.token
    )
    assert body["data"]["legalRequests"] == {
        "totalCount": 1,
        "edges": [{"node": {"reference": own.reference}}],
    }


@pytest.mark.django_db
def test_anonymous_callers_see_no_requests(gql: Any, foreign_request: Any) -> None:
    body = gql(REQUEST_BY_ID, {"id": gid("LegalRequest", foreign_request.pk)})
    assert body["data"]["legalRequest"] is None
    body = gql(NODE_BY_ID, {"id": gid("LegalRequest", foreign_request.pk)})
    assert body["data"]["node"] is None
    body = gql("{ legalRequests { totalCount } }")
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.django_db
def test_nested_fields_never_reach_another_tenant(
    gql: Any, authority: Member, foreign_request: Any
) -> None:
    own = LegalRequestFactory(organization=authority.organization)
    query = """{ viewer { organization { id name } }
                 legalRequests { edges { node { reference targets { value } timeline { event message } } } } }"""
    body = gql(query, token=authority.token)
    assert body["data"]["viewer"]["organization"]["name"] == authority.organization.name
    assert [e["node"]["reference"] for e in body["data"]["legalRequests"]["edges"]] == [
        own.reference
    ]
    assert "SECRET" not in str(body)


@pytest.mark.django_db
def test_internal_timeline_entries_are_not_shown(gql: Any, authority: Member) -> None:
    own = LegalRequestFactory(organization=authority.organization)
    TimelineEntryFactory(legal_request=own, message="public step")
    TimelineEntryFactory(legal_request=own, message="internal staff note", public=False)
    body = gql(
        REQUEST_BY_ID.replace("targets { value }", "timeline { message }"),
        {"id": gid("LegalRequest", own.pk)},
        token=authority.token,
    )
    assert [t["message"] for t in body["data"]["legalRequest"]["timeline"]] == ["public step"]


@pytest.mark.django_db
def test_idempotency_key_of_another_organization_does_not_return_its_request(
    gql: Any, authority: Member, other_authority: Member
) -> None:
    LegalRequestFactory(
        organization=other_authority.organization,
        idempotency_key="shared-key",
        reference="SECRET-2",
    )
    from tests.liaison.test_submit import submit

    result = submit(gql, authority, idempotencyKey="shared-key")
    assert result["__typename"] == "LegalRequest"
    assert result["reference"] != "SECRET-2"


@pytest.mark.parametrize(
    "bad_id", ["not-base64!", to_base64("LegalRequest", "not-a-uuid"), to_base64("Other", "1"), ""]
)
@pytest.mark.django_db
def test_malformed_ids_are_simply_not_found(gql: Any, authority: Member, bad_id: str) -> None:
    body = gql(REQUEST_BY_ID, {"id": bad_id}, token=authority.token)
    assert body == {"data": {"legalRequest": None}}
