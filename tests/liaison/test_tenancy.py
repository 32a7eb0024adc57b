"""Another organization's request is "not found" through every path, exactly like a missing one."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from strawberry.relay import to_base64

from core.actors import Actor, staff_actor
from core.errors import NotFound
from core.graphql.ids import decode_global_id, encode_global_id, int_pk, uuid_pk
from liaison import selectors
from liaison.models import (
    DisclosurePackage,
    LegalDocument,
    LegalRequest,
    Organization,
    Target,
    TimelineEntry,
)
from tests.conftest import Member
from tests.factories import LegalRequestFactory, StaffUserFactory, TimelineEntryFactory

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


# One rule, everywhere: visible_to on every tenant-owned queryset ------------------------------


def _document(legal_request: Any, organization: Any) -> LegalDocument:
    return LegalDocument.objects.create(
        legal_request=legal_request,
        organization=organization,
        uploaded_by=legal_request.submitted_by,
        file="legal-documents/none.pdf",
        filename="SECRET-order.pdf",
        size=1,
        sha256="0" * 64,
    )


def _package(legal_request: Any) -> DisclosurePackage:
    return DisclosurePackage.objects.create(
        legal_request=legal_request,
        records=[],
        signature="x",
        key_id="k",
        created_by=legal_request.submitted_by,
        expires_at=timezone.now() + timedelta(days=1),
    )


@pytest.mark.django_db
def test_every_tenant_owned_queryset_applies_the_one_rule(
    authority: Member, other_authority: Member
) -> None:
    own = LegalRequestFactory(organization=authority.organization)
    foreign = LegalRequestFactory(organization=other_authority.organization)
    own_rows = {
        Organization: authority.organization,
        LegalRequest: own,
        Target: own.targets.get(),
        TimelineEntry: TimelineEntryFactory(legal_request=own),
        LegalDocument: _document(own, authority.organization),
        DisclosurePackage: _package(own),
    }
    foreign_rows = {
        Organization: other_authority.organization,
        LegalRequest: foreign,
        Target: foreign.targets.get(),
        TimelineEntry: TimelineEntryFactory(legal_request=foreign),
        LegalDocument: _document(foreign, other_authority.organization),
        DisclosurePackage: _package(foreign),
    }
    staff = staff_actor(StaffUserFactory())
    for model, row in own_rows.items():
        everything = model.objects.all()  # type: ignore[attr-defined]
        assert list(everything.visible_to(authority.actor)) == [row], model
        assert list(everything.visible_to(None)) == [], model
        assert list(everything.visible_to(Actor(user=row.pk, organization=None))) == [], model
        seen_by_staff = set(everything.visible_to(staff))
        if model is DisclosurePackage:  # staff read packages in admin, never through the API
            assert seen_by_staff == set(), model
        else:
            assert seen_by_staff == {row, foreign_rows[model]}, model


@pytest.mark.django_db
def test_a_document_is_visible_only_on_its_own_organizations_request(
    gql: Any, authority: Member, other_authority: Member
) -> None:
    """The rule the GraphQL type and the download selector share (they used to disagree)."""
    own = LegalRequestFactory(organization=authority.organization)
    foreign = LegalRequestFactory(organization=other_authority.organization)
    stray = _document(foreign, authority.organization)  # own upload on someone else's request
    planted = _document(own, other_authority.organization)  # a foreign upload on own request
    for document in (stray, planted):
        assert selectors.legal_document_get(actor=authority.actor, document_id=document.pk) is None
        assert (
            selectors.legal_document_get(actor=other_authority.actor, document_id=document.pk)
            is None
        )
    body = gql(
        "query($id: ID!) { legalRequest(id: $id) { documents { filename } } }",
        {"id": gid("LegalRequest", own.pk)},
        token=authority.token,
    )
    assert body == {"data": {"legalRequest": {"documents": []}}}


# The access functions: one "not found" for missing, foreign and malformed ids ---------------


@pytest.mark.django_db
def test_access_functions_say_the_same_not_found_for_missing_and_foreign(
    authority: Member, other_authority: Member
) -> None:
    foreign = LegalRequestFactory(organization=other_authority.organization)
    _package(foreign)
    document = _document(foreign, other_authority.organization)
    cases = [
        (selectors.access_legal_request, "legal_request_id", foreign.pk),
        (selectors.access_legal_document, "document_id", document.pk),
        (selectors.access_disclosure_package, "legal_request_id", foreign.pk),
    ]
    for access, argument, foreign_id in cases:
        errors = []
        for value in (foreign_id, uuid.uuid4(), "not-a-uuid", None):
            with pytest.raises(NotFound) as raised:
                access(actor=authority.actor, **{argument: value})
            errors.append((str(raised.value), raised.value.message_dict))
        assert len(set(map(str, errors))) == 1, errors
        assert access(actor=other_authority.actor, **{argument: foreign_id}) is not None


def test_global_ids_decode_only_for_their_type() -> None:
    pk = uuid.uuid4()
    assert decode_global_id(encode_global_id("LegalRequest", pk), "LegalRequest", uuid_pk) == pk
    assert decode_global_id(gid("LegalRequest", pk), "LegalRequest") == str(pk)
    for garbage in (
        gid("Organization", pk),
        gid("LegalRequest", "not-a-uuid"),
        "not-base64!",
        "",
        None,
        42,
    ):
        assert decode_global_id(garbage, "LegalRequest", uuid_pk) is None, garbage
    assert decode_global_id(gid("HotlineConversation", "7"), "HotlineConversation", int_pk) == 7
    for bad_pk in ("0", "-1", "1e3", str(2**63)):
        assert (
            decode_global_id(gid("HotlineConversation", bad_pk), "HotlineConversation", int_pk)
            is None
        )


# Every GraphQL path ------------------------------------------------------------------------


WITHDRAW = """mutation($id: ID!) { withdrawLegalRequest(id: $id) {
  __typename ... on LegalRequest { reference } ... on OperationInfo { messages { kind field message code } } } }"""
ANSWER = """mutation($id: ID!) { answerClarification(id: $id, answer: "Here.") {
  __typename ... on LegalRequest { reference } ... on OperationInfo { messages { kind field message code } } } }"""
PACKAGE = "query($id: ID!) { disclosurePackage(requestId: $id) { requestId } }"


@pytest.mark.parametrize("mutation", [WITHDRAW, ANSWER])
@pytest.mark.django_db
def test_mutation_inputs_naming_a_foreign_request_look_missing(
    gql: Any, authority: Member, foreign_request: Any, mutation: str
) -> None:
    answers = [
        gql(mutation, {"id": bad_id}, token=authority.token)
        for bad_id in (
            gid("LegalRequest", foreign_request.pk),
            gid("LegalRequest", uuid.uuid4()),
            gid("Organization", foreign_request.organization_id),
            gid("TimelineEntry", foreign_request.pk),
            "garbage",
        )
    ]
    assert all(answer == answers[0] for answer in answers), answers
    (result,) = answers[0]["data"].values()
    assert result["messages"] == [
        {
            "kind": "VALIDATION",
            "field": "id",
            "message": "No legal request with this id.",
            "code": "not_found",
        }
    ]
    foreign_request.refresh_from_db()
    assert foreign_request.status == "RECEIVED"


@pytest.mark.django_db
def test_a_foreign_disclosure_package_is_null_like_a_missing_one(
    gql: Any, authority: Member, foreign_request: Any
) -> None:
    _package(foreign_request)
    answers = [
        gql(PACKAGE, {"id": bad_id}, token=authority.token)
        for bad_id in (
            gid("LegalRequest", foreign_request.pk),
            gid("LegalRequest", uuid.uuid4()),
            gid("Organization", foreign_request.pk),
        )
    ]
    assert answers == [{"data": {"disclosurePackage": None}}] * 3


@pytest.mark.django_db
def test_a_wrongly_typed_node_id_never_reaches_the_row(
    gql: Any, authority: Member, foreign_request: Any
) -> None:
    own = LegalRequestFactory(organization=authority.organization)
    for bad_id in (
        gid("Organization", own.pk),  # a UUID where an organization has an integer pk
        gid("Organization", foreign_request.pk),
        gid("Organization", "1; DROP TABLE"),
        gid("LegalRequest", "not-a-uuid"),
        gid("LegalRequest", authority.organization.pk),
    ):
        body = gql(NODE_BY_ID, {"id": bad_id}, token=authority.token)
        assert body == {"data": {"node": None}}, bad_id
    body = gql(
        REQUEST_BY_ID, {"id": gid("Organization", authority.organization.pk)}, token=authority.token
    )
    assert body == {"data": {"legalRequest": None}}


@pytest.mark.django_db
def test_staff_session_viewer_and_member_viewer(gql: Any, authority: Member) -> None:
    body = gql("{ viewer { authenticated isStaff organization { name } } }", token=authority.token)
    assert body["data"]["viewer"] == {
        "authenticated": True,
        "isStaff": False,
        "organization": {"name": authority.organization.name},
    }


def test_the_one_staff_predicate() -> None:
    organization = Organization(pk=1)
    assert Actor(user=None, organization=None, is_staff=True).is_platform_staff
    assert not Actor(user=None, organization=organization, is_staff=True).is_platform_staff
    assert not Actor(user=None, organization=None).is_platform_staff


@pytest.mark.django_db
def test_node_with_an_id_of_no_node_type_is_not_found_like_a_missing_one(
    gql: Any, authority: Member, foreign_request: Any
) -> None:
    missing = gql(NODE_BY_ID, {"id": gid("LegalRequest", uuid.uuid4())}, token=authority.token)
    assert missing == {"data": {"node": None}}
    for bad_id in (
        gid("Bogus", 1),  # no such type
        gid("Query", 1),  # a type, not a node type
        gid("TimelineEntry", foreign_request.pk),  # a type the API does not expose as a node
        gid("LegalRequest", "not-a-uuid"),
        gid("", ""),
    ):
        assert gql(NODE_BY_ID, {"id": bad_id}, token=authority.token) == missing, bad_id
    # Not a global id at all: the client's mistake, said plainly (never "Unexpected error").
    garbage = gql(NODE_BY_ID, {"id": "garbage"}, token=authority.token)
    assert garbage["data"] == {"node": None}
    assert [e["message"] for e in garbage["errors"]] == [
        'Value cannot represent a GlobalID: "garbage".'
    ]
