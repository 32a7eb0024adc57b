"""Small helpers for the few hot paths that run hand-written SQL: select a model's columns and
build the instance from the row exactly as the ORM would (each field's converters applied)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)


def select_list(model: type[models.Model], alias: str) -> str:
    """`alias."col", ...` for every concrete field of `model`, in `_meta.concrete_fields` order
    (the order `from_row` reads them in)."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(str(f.column))}" for f in model._meta.concrete_fields)


def column_count(model: type[models.Model]) -> int:
    """How many values `select_list(model, ...)` selects."""
    return len(model._meta.concrete_fields)


Converter = Callable[[Any], Any]


@cache
def _converters(model: type[models.Model]) -> tuple[list[str], list[list[Converter]]]:
    """The attribute names of `model`'s columns and, per column, the converters the ORM applies
    to what the database returns (computed once per model and process)."""
    names, converters = [], []
    for field in model._meta.concrete_fields:
        expression = field.get_col(model._meta.db_table)
        chain = [
            *connection.ops.get_db_converters(expression),
            *field.get_db_converters(connection),
        ]
        names.append(field.attname)
        converters.append([_bound(c, expression) for c in chain])
    return names, converters


def _bound(converter: Callable[[Any, Any, Any], Any], expression: Any) -> Converter:
    """A converter with the column expression and the connection it is called with bound."""
    return lambda value: converter(value, expression, connection)


def from_row(model: type[M], values: Sequence[Any]) -> M:
    """An instance of `model` from the values of its `select_list`, converted as the ORM's
    own queries convert them (JSON, arrays, ...), marked as loaded from the database."""
    names, converters = _converters(model)
    if len(values) != len(names):
        raise ValueError(f"{model.__name__}: {len(values)} values for {len(names)} columns")
    converted = []
    for chain, value in zip(converters, values, strict=True):
        for convert in chain:
            value = convert(value)
        converted.append(value)
    return model.from_db(connection.alias, names, converted)


@dataclass(frozen=True)
class InsertParts:
    """The pieces of one model's INSERT, built once per model and process: the quoted table,
    column list and value placeholders, its quoted primary key column, and the fields written
    (every concrete field but an auto primary key)."""

    table: str
    columns: str
    values: str
    pk: str
    fields: list[models.Field]

    @property
    def sql(self) -> str:
        """The INSERT of one row returning its primary key (names from the model's metadata,
        every value a parameter)."""
        return (
            f"INSERT INTO {self.table} ({self.columns}) VALUES ({self.values}) RETURNING {self.pk}"  # noqa: S608
        )


@cache
def insert_parts(model: type[models.Model]) -> InsertParts:
    """The INSERT pieces of `model` (see InsertParts)."""
    quote = connection.ops.quote_name
    meta = model._meta
    fields = [f for f in meta.concrete_fields if f is not meta.auto_field]
    placeholders = [
        f.get_placeholder(None, None, connection) if hasattr(f, "get_placeholder") else "%s"
        for f in fields
    ]
    return InsertParts(
        table=quote(meta.db_table),
        columns=", ".join(quote(str(f.column)) for f in fields),
        values=", ".join(placeholders),
        pk=quote(str(meta.pk.column)),
        fields=fields,
    )


def insert_params(instance: models.Model) -> list[Any]:
    """The values of `instance`'s INSERT, prepared as the ORM's save prepares them (each field's
    `pre_save` and `get_db_prep_save`). A model with save signal receivers is refused
    (TypeError): a receiver added later would otherwise silently not run."""
    model = type(instance)
    if models.signals.pre_save.has_listeners(model) or models.signals.post_save.has_listeners(
        model
    ):
        raise TypeError(f"{model.__name__} has save signal receivers: save it with the ORM")
    return [
        f.get_db_prep_save(f.pre_save(instance, add=True), connection)
        for f in insert_parts(model).fields
    ]


def insert(instance: M) -> M:
    """`instance.save(force_insert=True)` for the hot paths, without the ORM's per-call query
    building: the same values (`insert_params`), one INSERT whose SQL is built once per model.
    For models with no save() override (the caller's to know: it is not run)."""
    params = insert_params(instance)
    with connection.cursor() as cursor:
        cursor.execute(insert_parts(type(instance)).sql, params)
        (pk,) = cursor.fetchone()
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = connection.alias
    return instance
