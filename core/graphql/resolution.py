"""Field resolution at the cost of the work it does: a page of 50 requests resolves ~600 fields,
and each one used to pay ~75 Python calls of plumbing for an attribute read.

Three things decided once when the schema is built (`streamline`), never per field, and one
for subscriptions:

1. **Plain model attributes read the attribute.** A strawberry-django field without a resolver,
   field extensions or permissions, on a plain model column (`reference`, `status`, `dueAt`), is
   resolved by strawberry through an `Info` object, argument conversion, the field-extension
   chain and strawberry-django's descriptor checks before it reads `instance.__dict__`. Its
   resolver now reads the loaded value directly and falls back to the original resolver when
   the column was not loaded (a deferred field: same query as before). A basic strawberry
   field of a plain type (`HandlingTeam.name`, a connection's `edges`, an edge's `node`) reads
   its attribute with the schema's default resolver. Relations, resolvers, permission classes,
   file fields and custom descriptors keep strawberry's full path.

2. **The field middleware runs where it can change something.** The schema extensions'
   `resolve` hooks wrap every field; two of them are no-ops on most: `InputTextCleaning` only
   cleans arguments (a field without arguments has none), `DjangoOptimizerExtension` only
   optimizes a QuerySet a resolver returns (only a list field can return one: a scalar, an
   object or a connection never is one). `PortalExecutionContext` leaves each of the two out
   around the fields it cannot change (`NO_OPS`); any other extension's hook wraps every field.

3. **A loaded column is completed where it is read.** For a column field of a scalar or enum
   type, when no extension hook wraps it, `PortalExecutionContext.execute_field` reads the
   value and coerces it as graphql-core's `complete_leaf_value` would, without building the
   field's `ResolveInfo` or going through `complete_value`. Anything else (a value not loaded,
   null where the type is non-null, a value the type refuses) takes graphql-core's own path,
   which produces the same value or the same located error as before.

4. **A subscription collects its sub-fields once.** graphql-core memoizes an object's sub-field
   collection on the identity of the field list it was reached by; every event of a
   subscription collects its root fields again, so those lists are new each time: its
   per-event executors (shallow copies sharing one memo) never hit it and add one entry per
   object per event for as long as the subscription runs (a hot room's subscriber: two per
   message). `PortalExecutionContext.collect_subfields` keys the same memo on the field nodes
   of the operation's (cached, immutable) document instead, which are the same for every event.

Nothing is cached per caller and no value is cached: the rows are fetched and tenancy-scoped
exactly as before (same SQL), only the per-field Python work is gone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from math import isfinite
from typing import Any
from weakref import WeakKeyDictionary

from django.db.models.query_utils import DeferredAttribute
from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    Undefined,
    get_nullable_type,
)
from graphql.execution.collect_fields import CollectedFields, FieldDetailsList
from graphql.execution.middleware import MiddlewareManager
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField
from strawberry_django.fields.field import StrawberryDjangoField
from strawberry_django.optimizer import DjangoOptimizerExtension

from core.graphql.text import InputTextCleaning

Resolver = Callable[..., Any]


def _has_no_arguments(field: GraphQLField) -> bool:
    return not field.args


def _is_not_list(field: GraphQLField) -> bool:
    return not isinstance(get_nullable_type(field.type), GraphQLList)


# The extensions whose `resolve` hook does nothing around the fields a predicate accepts.
NO_OPS: tuple[tuple[type[SchemaExtension], Callable[[GraphQLField], bool]], ...] = (
    (InputTextCleaning, _has_no_arguments),
    (DjangoOptimizerExtension, _is_not_list),
)

# Per built schema: the field resolvers and the extensions whose hooks they skip.
_SKIPPED: WeakKeyDictionary[GraphQLSchema, dict[Resolver, frozenset[type]]] = WeakKeyDictionary()

# Per built schema, per object type: its leaf fields that only read a value (the attribute, the
# leaf type, non-null, and whether the value is a model column read from `__dict__`).
ColumnPlan = tuple[str, GraphQLLeafType, bool, bool]
_COLUMNS: WeakKeyDictionary[GraphQLSchema, dict[GraphQLObjectType, dict[str, ColumnPlan]]] = (
    WeakKeyDictionary()
)
_MISSING = object()


def _model_column(definition: StrawberryDjangoField) -> str | None:
    """The attribute name in `instance.__dict__` of a field that only reads a plain column."""
    if definition.base_resolver is not None or definition.extensions or definition.is_relation:
        return None
    origin = definition.origin_django_type
    if origin is None:
        return None
    descriptor = getattr(origin.model, definition.django_name or definition.python_name, None)
    # Exactly a column's descriptor: not a file field's, a foreign key's or a custom one, which
    # may transform the value on access.
    if type(descriptor) is not DeferredAttribute:
        return None
    return str(descriptor.field.attname)


def _column_resolver(attname: str, original: Resolver) -> Resolver:
    def resolve_column(source: Any, info: Any, **kwargs: Any) -> Any:
        try:
            return source.__dict__[attname]
        except (AttributeError, KeyError):  # not loaded (deferred): the full path, as before
            return original(source, info, **kwargs)

    return resolve_column


def _attribute_resolver(definition: StrawberryField) -> Resolver:
    read, name = definition.default_resolver, definition.python_name

    def resolve_attribute(source: Any, info: Any, **kwargs: Any) -> Any:
        return read(source, name)

    return resolve_attribute


def _column(field: GraphQLField) -> str | None:
    """The column a field without arguments only reads, if it is one."""
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if field.resolve is None or field.args or not isinstance(definition, StrawberryDjangoField):
        return None
    return _model_column(definition)


def _fast_resolver(field: GraphQLField) -> Resolver | None:
    """A direct resolver for a field that only reads an attribute, else None."""
    if field.resolve is None or field.args:
        return None
    attname = _column(field)
    if attname is not None:
        return _column_resolver(attname, field.resolve)
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if type(definition) is StrawberryField and definition.is_basic_field:
        return _attribute_resolver(definition)
    return None


def _column_plan(field: GraphQLField) -> ColumnPlan | None:
    leaf_type = get_nullable_type(field.type)
    if field.args or not isinstance(leaf_type, GraphQLScalarType | GraphQLEnumType):
        return None
    non_null = isinstance(field.type, GraphQLNonNull)
    attname = _column(field)
    if attname is not None:
        return attname, leaf_type, non_null, True
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if (
        type(definition) is StrawberryField
        and definition.is_basic_field
        and definition.default_resolver is getattr
    ):
        return definition.python_name, leaf_type, non_null, False
    return None


def streamline(schema: GraphQLSchema) -> None:
    """Give attribute fields their direct resolvers and note which extension hooks each field's
    resolver skips (see the module). Called once on the built schema."""
    skipped: dict[Resolver, frozenset[type]] = {}
    columns: dict[GraphQLObjectType, dict[str, ColumnPlan]] = {}
    for named_type in schema.type_map.values():
        if not isinstance(named_type, GraphQLObjectType) or named_type.name.startswith("__"):
            continue
        for name, field in named_type.fields.items():
            plan = _column_plan(field)
            if plan is not None:
                columns.setdefault(named_type, {})[name] = plan
            fast = _fast_resolver(field)
            if fast is not None:
                field.resolve = fast
            if field.resolve is None:
                continue
            skips = frozenset(extension for extension, no_op in NO_OPS if no_op(field))
            # A resolver shared by several fields skips only what it may skip for all of them.
            skipped[field.resolve] = skipped.get(field.resolve, skips) & skips
    _SKIPPED[schema] = skipped
    _COLUMNS[schema] = columns


class SelectiveMiddleware(MiddlewareManager):
    """The operation's field middleware, each field wrapped only by the hooks it does not
    skip."""

    def __init__(
        self, middlewares: Iterable[Any], skipped: dict[Resolver, frozenset[type]]
    ) -> None:
        super().__init__(*middlewares)
        self.skipped = skipped
        self._managers: dict[frozenset[type], MiddlewareManager] = {}
        self._resolvers: dict[Resolver, Resolver] = {}

    def get_field_resolver(self, field_resolver: Resolver) -> Resolver:
        wrapped = self._resolvers.get(field_resolver)
        if wrapped is None:
            skips = self.skipped.get(field_resolver, frozenset())
            manager = self._managers.get(skips)
            if manager is None:
                kept = (m for m in self.middlewares if not isinstance(m, tuple(skips)))
                manager = self._managers[skips] = MiddlewareManager(*kept)
            wrapped = self._resolvers[field_resolver] = manager.get_field_resolver(field_resolver)
        return wrapped


class PortalExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context with `SelectiveMiddleware` (queries, mutations and every
    subscription event alike)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        skipped = _SKIPPED.get(self.schema)
        if manager is not None and skipped and not isinstance(manager, SelectiveMiddleware):
            self.middleware_manager = SelectiveMiddleware(manager.middlewares, skipped)
        # Column fields skip every NO_OPS hook: completed in place only if no other hook runs.
        no_ops = tuple(extension for extension, _ in NO_OPS)
        hooks = manager.middlewares if manager is not None else ()
        unwrapped = all(isinstance(hook, no_ops) for hook in hooks)
        self.columns = _COLUMNS.get(self.schema, {}) if unwrapped else {}
        # Shared by a subscription's per-event executors (shallow copies of this one).
        self.subfields_by_node: dict[tuple[int, ...], CollectedFields] = {}
        # Per selection set (graphql-core memoizes one per list, shared by its items): its plan.
        # The set itself is kept with it, so that its id cannot be reused during execution.
        self._selections: dict[int, tuple[Any, SelectionPlan | None]] = {}

    def collect_subfields(
        self, return_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> CollectedFields:
        """graphql-core's memoized collection, keyed on the field nodes (see the module, 4).
        A `@defer` or fragment-variable field list keeps graphql-core's own key."""
        if any(
            details.defer_usage is not None or details.fragment_variable_values is not None
            for details in field_details_list
        ):
            return super().collect_subfields(return_type, field_details_list)
        key = (id(return_type), *(id(details.node) for details in field_details_list))
        collected = self.subfields_by_node.get(key)
        if collected is None:
            collected = super().collect_subfields(return_type, field_details_list)
            self.subfields_by_node[key] = collected
        return collected

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Any,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        """An object whose selected fields all only read a value (a row of the transparency
        report, a target's kind and value) is completed in one loop, without a call per field;
        any other object, or one value the fast read cannot complete, takes the path below."""
        plans = self.columns.get(parent_type)
        if plans is not None:
            selection = self._selection(plans, grouped_field_set)
            if selection is not None:
                results = _completed_object(source_value, selection)
                if results is not None:
                    return results
        return super().execute_fields(
            parent_type, source_value, path, grouped_field_set, position_context
        )

    def complete_iterable_value(
        self,
        item_type: Any,
        field_details_list: Any,
        info: Any,
        path: Any,
        items: Any,
        position_context: Any,
    ) -> Any:
        """A list of such objects (the transparency report's 900 rows) is completed in one
        loop, without graphql-core's calls per item (its path, value completion and selection
        lookup); a list with an item the loop cannot complete (null, not such an object, a value
        the fast read cannot complete) is completed by graphql-core from the start."""
        object_type = get_nullable_type(item_type)
        is_object = isinstance(object_type, GraphQLObjectType)
        plans = self.columns.get(object_type) if is_object else None
        if (
            plans is not None
            and object_type.is_type_of is None
            and isinstance(items, list)
            and self.get_stream_usage(field_details_list, path) is None
        ):
            grouped_field_set, new_defer_usages, _ = self.collect_subfields(
                object_type, field_details_list
            )
            selection = self._selection(plans, grouped_field_set)
            if selection is not None and not new_defer_usages:
                completed = []
                for item in items:
                    results = None if item is None else _completed_object(item, selection)
                    if results is None:
                        break
                    completed.append(results)
                else:
                    return completed
        return super().complete_iterable_value(
            item_type, field_details_list, info, path, items, position_context
        )

    def _selection(
        self, plans: dict[str, ColumnPlan], grouped_field_set: Any
    ) -> SelectionPlan | None:
        """The plan of a selection set of one of `plans`' objects, made once per operation."""
        memo = self._selections.get(id(grouped_field_set))
        if memo is None or memo[0] is not grouped_field_set:
            memo = (grouped_field_set, _selection_plan(plans, grouped_field_set))
            self._selections[id(grouped_field_set)] = memo
        return memo[1]

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any,
    ) -> Any:
        plans = self.columns.get(parent_type)
        if plans is not None:
            plan = plans.get(field_details_list[0].node.name.value)
            if plan is not None:
                value = _completed(source, plan)
                if value is not _MISSING:
                    return value
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )


# The built-in scalars whose coercion gives back a value of this exact Python type unchanged
# (an Int within 32 bits, a finite Float): such a value is completed without the call.
_UNCHANGED: dict[GraphQLScalarType, type] = {
    GraphQLInt: int,
    GraphQLFloat: float,
    GraphQLString: str,
    GraphQLID: str,
    GraphQLBoolean: bool,
}
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
# Per selected field: its response name, its plan, the type its values keep unchanged (or
# None), and for an enum its completed values so far, by value (an enum completes each of its
# few values the same way every time: a year's 900 rows have 5 kinds and 6 categories).
SelectedField = tuple[str, ColumnPlan, type | None, dict[str, Any] | None]
SelectionPlan = tuple[SelectedField, ...]


def _selection_plan(plans: dict[str, ColumnPlan], grouped_field_set: Any) -> SelectionPlan | None:
    """The plan of every selected field, or None when one of them has none."""
    selection = []
    for response_name, field_details_list in grouped_field_set.items():
        plan = plans.get(field_details_list[0].node.name.value)
        if plan is None:
            return None
        leaf_type = plan[1]
        unchanged = _UNCHANGED.get(leaf_type) if isinstance(leaf_type, GraphQLScalarType) else None
        enum_values: dict[str, Any] | None = {} if isinstance(leaf_type, GraphQLEnumType) else None
        selection.append((response_name, plan, unchanged, enum_values))
    return tuple(selection)


def _completed_object(source: Any, selection: SelectionPlan) -> dict[str, Any] | None:
    """The object's completed fields, or None when one of them needs graphql-core's path. A
    value graphql-core gives back unchanged is taken as it is, an enum's value completed once;
    any other goes through `_completed`."""
    results: dict[str, Any] = {}
    for response_name, plan, unchanged, enum_values in selection:
        value: Any = _MISSING
        if not plan[3]:  # a plain attribute (a model column is read by `_completed`)
            value = getattr(source, plan[0], _MISSING)
            kind = type(value)
            if kind is unchanged and (
                (kind is not int or _INT_MIN <= value <= _INT_MAX)
                and (kind is not float or isfinite(value))
            ):
                results[response_name] = value
                continue
            if enum_values is not None and kind is str:
                completed = enum_values.get(value, _MISSING)
                if completed is _MISSING:
                    completed = enum_values[value] = _completed(source, plan)
                if completed is _MISSING:
                    return None
                results[response_name] = completed
                continue
        value = _completed(source, plan)
        if value is _MISSING:
            return None
        results[response_name] = value
    return results


def _completed(source: Any, plan: ColumnPlan) -> Any:
    """The field's completed value, as graphql-core's `complete_leaf_value` gives it, or
    `_MISSING` when graphql-core's own path must decide (a column not loaded, null where the
    type is non-null, a value the type refuses: the same value or located error as before)."""
    name, leaf_type, non_null, column = plan
    try:
        value = source.__dict__.get(name, _MISSING) if column else getattr(source, name, _MISSING)
    except AttributeError:
        return _MISSING
    if value is None:
        return _MISSING if non_null else None
    if value is _MISSING:
        return _MISSING
    try:
        coerced = leaf_type.coerce_output_value(value)
    except Exception:  # refused: graphql-core's own path reports it
        return _MISSING
    return _MISSING if coerced is None or coerced is Undefined else coerced


__all__ = ["NO_OPS", "PortalExecutionContext", "SelectiveMiddleware", "streamline"]
