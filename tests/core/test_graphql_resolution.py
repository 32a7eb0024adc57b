"""core.graphql.resolution: direct column reads, the middleware left out where it is a no-op."""

from __future__ import annotations

from enum import Enum
from typing import Any

import pytest
import strawberry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from graphql import parse
from strawberry_django.optimizer import DjangoOptimizerExtension

from core.graphql.resolution import PortalExecutionContext, SelectiveMiddleware
from core.graphql.text import InputTextCleaning
from liaison.models import LegalRequest
from portal.graphql.schema import schema
from tests.conftest import Member
from tests.factories import LegalRequestFactory

QUERY = "{ legalRequests(first: 1) { edges { node { reference status } } } }"


class Tracer:
    """An extension-like field middleware that records every field it wraps."""

    def __init__(self) -> None:
        self.fields: list[str] = []

    def resolve(self, next_: Any, root: Any, info: Any, **kwargs: Any) -> Any:
        self.fields.append(info.field_name)
        return next_(root, info, **kwargs)


def _field(type_name: str, field_name: str) -> Any:
    return schema._schema.type_map[type_name].fields[field_name]  # type: ignore[union-attr]


@pytest.mark.django_db
def test_a_deferred_column_is_read_through_strawberry_django(authority: Member) -> None:
    request = LegalRequestFactory(organization=authority.organization, reference="AZ-1")
    deferred = LegalRequest.objects.only("id").get(pk=request.pk)
    with CaptureQueriesContext(connection) as queries:
        value = _field("LegalRequest", "reference").resolve(deferred, None)
    assert value == "AZ-1"
    assert len(queries) == 1  # Django's deferred load, as before


def test_only_the_no_op_hooks_are_left_out() -> None:
    column = _field("LegalRequest", "reference").resolve
    team = _field("LegalRequest", "handlingTeam").resolve
    targets = _field("LegalRequest", "targets").resolve
    tracer = Tracer()
    middleware = SelectiveMiddleware(
        [InputTextCleaning(), DjangoOptimizerExtension(), tracer],
        {column: frozenset({InputTextCleaning, DjangoOptimizerExtension})},
    )
    assert middleware.get_field_resolver(column).func.__self__ is tracer  # type: ignore[attr-defined]
    assert middleware.get_field_resolver(team) is not team
    assert middleware.get_field_resolver(targets) is not targets


def test_columns_are_completed_in_place_only_without_other_hooks() -> None:
    document = parse(QUERY)
    plain = PortalExecutionContext.build(
        schema._schema, document, middleware=[InputTextCleaning(), DjangoOptimizerExtension()]
    )
    traced = PortalExecutionContext.build(schema._schema, document, middleware=[Tracer()])
    assert isinstance(plain, PortalExecutionContext)
    assert isinstance(traced, PortalExecutionContext)
    assert "reference" in plain.columns[schema._schema.type_map["LegalRequest"]]  # type: ignore[index]
    assert traced.columns == {}


@strawberry.type
class Row:
    """A plain strawberry type: every field reads an attribute."""

    name: str
    count: int
    share: float | None


@strawberry.type
class RowQuery:
    @strawberry.field
    def rows(self) -> list[Row]:
        return list(ROWS)


ROWS: list[Any] = []


def _portal_schema(query_type: type) -> strawberry.Schema:
    """A schema of `query_type` executed as the portal's is (streamlined, its context)."""
    from core.graphql.resolution import streamline

    schema = strawberry.Schema(query=query_type, execution_context_class=PortalExecutionContext)
    streamline(schema._schema)
    return schema


def _run(query: str) -> Any:
    plain = _portal_schema(RowQuery)
    context = PortalExecutionContext.build(plain._schema, parse(query))
    assert isinstance(context, PortalExecutionContext)
    assert set(context.columns[plain._schema.type_map["Row"]]) == {"name", "count", "share"}  # type: ignore[index]
    return plain.execute_sync(query)


def test_objects_of_plain_attributes_are_completed_in_one_loop_like_graphql_core() -> None:
    ROWS[:] = [Row(name="DE", count=3, share=None), Row(name="FR", count=1, share=0.5)]
    result = _run("{ rows { name count share alias: count __typename } }")
    assert result.errors is None
    assert result.data == {
        "rows": [
            {"name": "DE", "count": 3, "share": None, "alias": 3, "__typename": "Row"},
            {"name": "FR", "count": 1, "share": 0.5, "alias": 1, "__typename": "Row"},
        ]
    }
    # A value graphql-core refuses (null where non-null, not an Int) gets its usual error.
    ROWS[:] = [Row(name=None, count=2**40, share=None)]  # type: ignore[arg-type]
    refused = _run("{ rows { count } }")
    assert refused.data is None
    assert refused.errors is not None
    assert "Int cannot represent non 32-bit signed integer value" in refused.errors[0].message
    assert refused.errors[0].path == ["rows", 0, "count"]
    missing = _run("{ rows { name } }")
    assert missing.errors is not None
    assert missing.errors[0].path == ["rows", 0, "name"]


class Colour(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Tagged:
    """A plain type with an enum, a bool, a float and an ID."""

    colour: strawberry.enum(Colour)  # type: ignore[valid-type]
    on: bool
    ratio: float
    key: strawberry.ID


@strawberry.type
class TaggedQuery:
    @strawberry.field
    def tagged(self) -> list[Tagged]:
        return list(TAGGED)


TAGGED: list[Any] = []


def test_a_list_of_plain_objects_is_completed_in_one_loop_as_graphql_core_completes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Enums (by member or value), bools, floats (an int too), IDs: the same data as
    graphql-core's own execution, without graphql-core's completion of each item."""
    TAGGED[:] = [
        Tagged(colour=Colour.RED, on=True, ratio=0.5, key=strawberry.ID("a")),
        Tagged(colour="blue", on=False, ratio=2, key=strawberry.ID("b")),  # type: ignore[arg-type]
        Tagged(colour=Colour.RED, on=True, ratio=float("inf"), key=strawberry.ID("c")),
    ]
    query = "{ tagged { colour on ratio key } }"
    portal = _portal_schema(TaggedQuery)
    reference = strawberry.Schema(query=TaggedQuery)
    # graphql-core refuses the infinite ratio; the portal's loop leaves that list to it.
    assert portal.execute_sync(query).errors == reference.execute_sync(query).errors
    del TAGGED[2]
    completed_items: list[Any] = []
    complete_value = PortalExecutionContext.complete_value

    def counting(self: Any, return_type: Any, *args: Any) -> Any:
        completed_items.append(return_type)
        return complete_value(self, return_type, *args)

    monkeypatch.setattr(PortalExecutionContext, "complete_value", counting)
    result = portal.execute_sync(query)
    assert result.errors is None
    assert result.data == reference.execute_sync(query).data
    assert result.data == {
        "tagged": [
            {"colour": "RED", "on": True, "ratio": 0.5, "key": "a"},
            {"colour": "BLUE", "on": False, "ratio": 2.0, "key": "b"},
        ]
    }
    # The list (non-null, then its list type), none of its items.
    assert [str(return_type) for return_type in completed_items] == ["[Tagged!]!", "[Tagged!]"]
