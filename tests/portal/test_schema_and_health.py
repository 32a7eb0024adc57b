"""The committed schema.graphql matches the code and keeps API.md's contract; /healthz reports the
database and Redis."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLType,
    GraphQLUnionType,
    build_schema,
    get_named_type,
    is_required_argument,
    is_required_input_field,
    specified_scalar_types,
)
from strawberry.printer import print_schema

from portal.graphql.schema import schema

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_exported_schema_is_in_sync() -> None:
    assert SCHEMA_FILE.read_text().strip() == print_schema(schema).strip(), (
        "schema.graphql is out of date: run `make schema` and commit it."
    )


# The GraphQL core of ../shared/API.md, written out with the types it states (and, where it
# names a field without a type, the type integrations have today). Fields, types and operations
# may be added freely; these may not be renamed, removed, retyped or given a new required
# argument. Kept here, not parsed from API.md, so that the test needs no file from outside.
CONTRACT_SDL = """
scalar DateTime
scalar Date

enum OrganizationKind { AUTHORITY NGO }
enum RequestKind { DATA_DISCLOSURE EMERGENCY_DISCLOSURE PRESERVATION CONTENT_REMOVAL MODERATION_NOTICE }
enum RequestCategory { TERRORISM CHILD_SAFETY ILLEGAL_GOODS FRAUD VIOLENCE OTHER }
enum RequestStatus { RECEIVED ROUTED UNDER_REVIEW NEEDS_INFO APPROVED REJECTED FULFILLED WITHDRAWN }
enum TargetKind { USERNAME USER_ID PHONE_NUMBER CHANNEL MESSAGE_LINK }
enum DataCategory { IP_ADDRESSES PHONE_NUMBER }
enum OperationMessageKind { INFO WARNING ERROR PERMISSION VALIDATION }

input TargetInput { kind: TargetKind!  value: String! }
input SubmitLegalRequestInput {
  kind: RequestKind!
  category: RequestCategory!
  reference: String!
  legalBasis: String!
  jurisdiction: String!
  summary: String!
  targets: [TargetInput!]!
  dataCategories: [DataCategory!]
  idempotencyKey: String
}
input SendHotlineMessageInput { conversationId: ID!  body: String!  clientMessageId: String! }

type Query {
  viewer: Viewer!
  legalRequest(id: ID!): LegalRequest
  legalRequests(first: Int, after: String): LegalRequestConnection!
  routingGuide(kind: RequestKind!, category: RequestCategory!, jurisdiction: String!): RoutingGuide!
  hotlineConversations: [HotlineConversation!]!
  hotlineMessages(conversationId: ID!, afterSeq: Int, first: Int): [HotlineMessage!]!
  disclosurePackage(requestId: ID!): DisclosurePackage
  transparencyReport(periodStart: Date!, periodEnd: Date!, jurisdiction: String): TransparencyReport!
}
type Mutation {
  submitLegalRequest(input: SubmitLegalRequestInput!): SubmitLegalRequestResult!
  sendHotlineMessage(input: SendHotlineMessageInput!): SendHotlineMessageResult!
  withdrawLegalRequest(id: ID!): WithdrawLegalRequestResult!
  answerClarification(id: ID!, answer: String!): AnswerClarificationResult!
}
type Subscription {
  legalRequestUpdates: LegalRequest!
  hotlineMessages(conversationId: ID!, afterSeq: Int): HotlineMessage!
}

union SubmitLegalRequestResult = LegalRequest | OperationInfo
union SendHotlineMessageResult = HotlineMessage | OperationInfo
union WithdrawLegalRequestResult = LegalRequest | OperationInfo
union AnswerClarificationResult = LegalRequest | OperationInfo

type Viewer { organization: Organization }
type Organization { name: String! }
type LegalRequest {
  id: ID!
  reference: String!
  kind: RequestKind!
  category: RequestCategory!
  status: RequestStatus!
  jurisdiction: String!
  submittedAt: DateTime!
  dueAt: DateTime
  handlingTeam: HandlingTeam
  targets: [Target!]!
  timeline: [TimelineEntry!]!
  clockPausedAt: DateTime
  preservedUntil: DateTime
}
type HandlingTeam { name: String! }
type Target { kind: TargetKind!  value: String! }
type TimelineEntry
type LegalRequestConnection { totalCount: Int  edges: [LegalRequestEdge!]!  pageInfo: PageInfo! }
type LegalRequestEdge { cursor: String!  node: LegalRequest! }
type PageInfo { hasNextPage: Boolean!  endCursor: String }
type RoutingGuide {
  teamName: String!
  deadlineSeconds: Int!
  channel: String!
  requiredFields: [String!]!
  acceptedLegalBases: [String!]!
}
type HotlineConversation { id: ID! }
type HotlineMessage {
  id: ID!
  seq: Int!
  body: String!
  author: HotlineAuthor!
  sentAt: DateTime!
  urgent: Boolean!
  clientMessageId: String
}
type HotlineAuthor { displayName: String! }
type DisclosurePackage {
  requestId: ID!
  createdAt: DateTime!
  expiresAt: DateTime!
  records: [DisclosureRecord!]!
  signature: String!
  json: String!
  csv: String!
}
type DisclosureRecord { target: String!  phoneNumber: String  ipAddresses: [DisclosedIpAddress!] }
type DisclosedIpAddress { address: String!  seenAt: DateTime! }
type OperationInfo { messages: [OperationMessage!]! }
type OperationMessage { kind: OperationMessageKind!  field: String  message: String!  code: String }
type TransparencyReport {
  periodStart: Date!
  periodEnd: Date!
  generatedAt: DateTime!
  rows: [TransparencyReportRow!]!
}
type TransparencyReportRow {
  jurisdiction: String!
  kind: RequestKind!
  category: RequestCategory!
  received: Int!
  fulfilled: Int!
  rejected: Int!
  withdrawn: Int!
  open: Int!
  accountsAffected: Int!
  medianSecondsToAcknowledge: Int
  medianSecondsToAct: Int
}
"""
CONTRACT = build_schema(CONTRACT_SDL)

# Types API.md shows only as a selection (`handlingTeam { name }`), never by name: found through
# the field that leads to them, so that their names may change.
REACHED_THROUGH: dict[str, tuple[str, str]] = {
    "Organization": ("Viewer", "organization"),
    "HandlingTeam": ("LegalRequest", "handlingTeam"),
    "Target": ("LegalRequest", "targets"),
    "TimelineEntry": ("LegalRequest", "timeline"),
    "LegalRequestEdge": ("LegalRequestConnection", "edges"),
    "HotlineAuthor": ("HotlineMessage", "author"),
    "DisclosureRecord": ("DisclosurePackage", "records"),
    "DisclosedIpAddress": ("DisclosureRecord", "ipAddresses"),
    "TransparencyReportRow": ("TransparencyReport", "rows"),
}

# Contract names not implemented yet, with the issue that adds them ("Type.*": all its fields,
# one test). Only their existence is checked, strictly expected to fail: when one lands, its
# test fails as XPASS; then take it out of here, and its types are checked like the rest
# (correct the types above if the implementation chose others).
EXPECTED_MISSING: dict[str, str] = {}


def _contract_items() -> list[str]:
    items = []
    for name, contract_type in CONTRACT.type_map.items():
        if name.startswith("__") or name in specified_scalar_types:
            continue
        if isinstance(contract_type, GraphQLScalarType):
            items.append(f"scalar {name}")
        elif isinstance(contract_type, GraphQLEnumType):
            items.append(f"enum {name}")
        elif isinstance(contract_type, GraphQLUnionType):
            items.append(f"union {name}")
        elif isinstance(contract_type, GraphQLInputObjectType):
            items += [f"{name}.{field}" for field in contract_type.fields]
            items.append(f"input {name}")
        elif isinstance(contract_type, GraphQLObjectType):
            items += [f"{name}.{field}" for field in contract_type.fields]
    return items


CONTRACT_ITEMS = _contract_items()


def _pending(item: str) -> str | None:
    """The EXPECTED_MISSING entry that covers a contract item, if any."""
    if item in EXPECTED_MISSING:
        return item
    wildcard = item.split(".", 1)[0] + ".*"
    return wildcard if "." in item and wildcard in EXPECTED_MISSING else None


def _test_items() -> list[Any]:
    """One test per contract item, and one per EXPECTED_MISSING entry (xfail, strict)."""
    params: list[Any] = []
    for item in CONTRACT_ITEMS:
        pending = _pending(item)
        if pending is None:
            params.append(item)
        elif not any(p.id == pending for p in params if hasattr(p, "id")):
            covered = [i for i in CONTRACT_ITEMS if _pending(i) == pending]
            mark = pytest.mark.xfail(
                strict=True, reason=EXPECTED_MISSING[pending], raises=AssertionError
            )
            params.append(pytest.param(covered, id=pending, marks=mark))
    return params


def _kind(named: GraphQLNamedType) -> str:
    for kind, graphql_class in (
        ("scalar", GraphQLScalarType),
        ("enum", GraphQLEnumType),
        ("union", GraphQLUnionType),
        ("input", GraphQLInputObjectType),
        ("type", GraphQLObjectType),
    ):
        if isinstance(named, graphql_class):
            return kind
    return type(named).__name__


def _live(name: str, live: GraphQLSchema) -> GraphQLNamedType:
    """The live schema's type for a contract type name (REACHED_THROUGH for unnamed ones)."""
    if name in REACHED_THROUGH:
        parent, field = REACHED_THROUGH[name]
        parent_type = _live(parent, live)
        assert isinstance(parent_type, GraphQLObjectType), f"{parent} is not an object type"
        assert field in parent_type.fields, f"{parent}.{field} is missing"
        fields = parent_type.fields
        return get_named_type(fields[field].type)
    found = live.get_type(name)
    assert found is not None, f"type {name} is missing"
    return found


def _same_type(contract_ref: GraphQLType, live_ref: GraphQLType, live: GraphQLSchema) -> bool:
    """Same wrappers (non-null, list) around the same named type (or the same field's type)."""
    while isinstance(contract_ref, GraphQLNonNull | GraphQLList):
        if type(contract_ref) is not type(live_ref):
            return False
        contract_ref, live_ref = contract_ref.of_type, live_ref.of_type  # type: ignore[union-attr]
    return (
        _kind(live_ref) == _kind(contract_ref)  # type: ignore[arg-type]
        and _live(contract_ref.name, live) is live_ref  # type: ignore[union-attr]
    )


def _check_arguments(item: str, contract_args: dict, live_args: dict, live: GraphQLSchema) -> None:
    for arg, contract_arg in contract_args.items():
        assert arg in live_args, f"{item}: argument {arg} is missing"
        assert _same_type(contract_arg.type, live_args[arg].type, live), (
            f"{item}({arg}:) is {live_args[arg].type}, the contract says {contract_arg.type}"
        )
    extra = [
        a
        for a, live_arg in live_args.items()
        if a not in contract_args and is_required_argument(live_arg)
    ]
    assert not extra, f"{item}: new required argument(s) {extra} would break integrations"


def _check(item: str, *, live: GraphQLSchema, existence_only: bool) -> None:
    kind, _, name = item.partition(" ")
    if name:  # "scalar X", "enum X", "union X", "input X"
        contract_type, live_type = CONTRACT.type_map[name], _live(name, live)
        assert _kind(live_type) == kind, f"{name} is a {_kind(live_type)}, not a {kind}"
        if existence_only:
            return
        if kind == "enum":
            missing = set(contract_type.values) - set(live_type.values)  # type: ignore[union-attr]
            assert not missing, f"enum {name} lacks {sorted(missing)}"
        elif kind == "union":
            members = {t.name for t in live_type.types}  # type: ignore[union-attr]
            wanted = {t.name for t in contract_type.types}  # type: ignore[union-attr]
            assert wanted <= members, f"union {name} lacks {sorted(wanted - members)}"
        elif kind == "input":
            extra = [
                f
                for f, field in live_type.fields.items()  # type: ignore[union-attr]
                if f not in contract_type.fields and is_required_input_field(field)  # type: ignore[union-attr]
            ]
            assert not extra, (
                f"input {name}: new required field(s) {extra} would break integrations"
            )
        return
    type_name, _, field_name = item.partition(".")
    contract_field = CONTRACT.type_map[type_name].fields[field_name]  # type: ignore[union-attr]
    live_type = _live(type_name, live)
    assert _kind(live_type) == _kind(CONTRACT.type_map[type_name]), f"{type_name} changed kind"
    live_fields = live_type.fields  # type: ignore[union-attr]
    assert field_name in live_fields, f"{item} is missing"
    if existence_only:
        return
    live_field = live_fields[field_name]
    assert _same_type(contract_field.type, live_field.type, live), (
        f"{item} is {live_field.type}, the contract says {contract_field.type}"
    )
    if isinstance(contract_field, GraphQLInputField):
        assert is_required_input_field(live_field) == is_required_input_field(contract_field), (
            f"{item}: required-ness changed"
        )
    else:
        _check_arguments(item, contract_field.args, live_field.args, live)


@pytest.mark.parametrize("item", _test_items())
def test_public_contract(item: str | list[str]) -> None:
    """Each name of API.md's GraphQL core exists in the schema, with its type and arguments
    (names still missing: only that they exist, see EXPECTED_MISSING)."""
    if isinstance(item, list):
        for name in item:
            _check(name, live=schema._schema, existence_only=True)
    else:
        _check(item, live=schema._schema, existence_only=False)


def test_the_contract_check_can_fail() -> None:
    """The check itself, against doctored schemas: a field made non-null, renamed or retyped, an
    argument retyped or a new required one, a lost enum value or union member, a new required
    input field are each caught."""
    covering = {_pending(item) for item in CONTRACT_ITEMS}
    assert set(EXPECTED_MISSING) <= covering, "stale EXPECTED_MISSING entries"
    base = "scalar DateTime type OperationInfo { x: Int } "
    for sdl, item in (
        ("type LegalRequest { dueAt: DateTime! }", "LegalRequest.dueAt"),
        ("type LegalRequest { due: DateTime }", "LegalRequest.dueAt"),
        ("type LegalRequest { dueAt: String }", "LegalRequest.dueAt"),
        ("type LegalRequest { targets: [String!]! }", "LegalRequest.targets"),
        ("type X { y: Int } type Viewer { organization: X }", "Organization.name"),
        (
            "type LegalRequest { id: ID! } type Query { legalRequest(id: ID!, org: String!): LegalRequest }",
            "Query.legalRequest",
        ),
        (
            "type LegalRequest { id: ID! } type Query { legalRequest(id: String!): LegalRequest }",
            "Query.legalRequest",
        ),
        (
            "type LegalRequest { id: ID! } type Query { legalRequest: LegalRequest }",
            "Query.legalRequest",
        ),
        ("enum RequestKind { DATA_DISCLOSURE }", "enum RequestKind"),
        (
            "type LegalRequest { id: ID! } union SubmitLegalRequestResult = LegalRequest",
            "union SubmitLegalRequestResult",
        ),
        (
            "enum TargetKind { USERNAME } input TargetInput { kind: TargetKind! value: String! note: String! }",
            "input TargetInput",
        ),
        (
            "enum TargetKind { USERNAME } input TargetInput { kind: TargetKind! value: String }",
            "TargetInput.value",
        ),
        ("enum When { NOW } type LegalRequest { dueAt: When }", "LegalRequest.dueAt"),
        ("type LegalRequest { dueAt: DateTime } union Viewer = LegalRequest", "Organization.name"),
    ):
        with pytest.raises(AssertionError):
            _check(item, live=build_schema(base + sdl), existence_only=False)
    # A pending name passes (so its strict xfail flips) as soon as it exists.
    _check(
        "LegalRequest.clockPausedAt",
        live=build_schema(base + "type LegalRequest { clockPausedAt: DateTime }"),
        existence_only=True,
    )
    # And what passes here passes because it matches.
    _check(
        "LegalRequest.dueAt",
        live=build_schema(base + "type LegalRequest { dueAt: DateTime }"),
        existence_only=False,
    )


@pytest.mark.django_db
def test_healthz_reports_both_components(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"]["ok"] is True
    assert response.json()["redis"]["ok"] is True


@pytest.mark.django_db
def test_healthz_is_503_when_redis_is_down(client: Any, settings: Any) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"]["ok"] is False
    assert response.json()["database"]["ok"] is True
