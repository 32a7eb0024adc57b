"""core.graphql.resolution: direct column reads, the middleware left out where it is a no-op."""

from __future__ import annotations

from typing import Any

import pytest
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
