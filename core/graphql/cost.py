"""Query cost: refuse an operation whose *expanded* size is too large, before it executes.

Depth, alias and token limits do not see a document of nested fragment spreads: ten spreads of
a fragment that spreads ten of the next, seven levels deep, is 480 bytes and 10^7 fields. The
rule here counts what execution would resolve: every field once per time it is reached, after
fragment expansion, and the selections under a list multiplied by how many items it may
return: a page of a connection by its `first` / `last` (else the largest page), a plain list
(targets, timeline) by `list_weight`. Each fragment's cost is computed once and
reused wherever it is spread, so pricing the fan-out document takes microseconds.

The check runs before any validation rule (`CostCheckedValidation`), and the refusal is logged
with the caller (`core.logging.current_caller`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)
from strawberry.extensions import SchemaExtension
from strawberry.extensions.validation_cache import _get_validate_cache

from core.logging import current_caller

logger = logging.getLogger(__name__)

PAGE_ARGUMENTS = ("first", "last")
QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY"


class _Pricer:
    """Prices selection sets against the schema, memoizing fragments by name."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        *,
        page_size: int,
        list_weight: int,
        ceiling: int,
    ) -> None:
        self.schema = schema
        self.list_weight = list_weight
        self.fragments = fragments
        self.page_size = page_size
        self.ceiling = ceiling  # beyond it the exact figure does not matter: stop counting
        self._fragment_costs: dict[str, int] = {}
        self._pricing: set[str] = set()

    def selection_set(self, node: SelectionSetNode | None, parent: GraphQLNamedType | None) -> int:
        if node is None:
            return 0
        total = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = (
                    self.schema.get_type(selection.type_condition.name.value)
                    if selection.type_condition
                    else parent
                )
                total += self.selection_set(selection.selection_set, condition)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value)
            if total > self.ceiling:
                return total
        return total

    def fragment(self, name: str) -> int:
        if name in self._fragment_costs:
            return self._fragment_costs[name]
        definition = self.fragments.get(name)
        if definition is None or name in self._pricing:
            return 0  # unknown fragments and cycles are graphql-core's own errors
        self._pricing.add(name)
        cost = self.selection_set(
            definition.selection_set, self.schema.get_type(definition.type_condition.name.value)
        )
        self._pricing.discard(name)
        self._fragment_costs[name] = cost
        return cost

    def field(self, node: FieldNode, parent: GraphQLNamedType | None) -> int:
        field_type: Any = None
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            definition = parent.fields.get(node.name.value)
            field_type = definition.type if definition is not None else None
        if node.selection_set is None:
            return 1
        multiplier = 1 if _is_connection(parent) else self.multiplier(node, field_type)
        child = self.selection_set(node.selection_set, _named(field_type))
        return 1 + min(multiplier * child, self.ceiling + 1)

    def multiplier(self, node: FieldNode, field_type: Any) -> int:
        """How many times the field's selections may be resolved: its page size. (A
        connection's own `edges` are not counted again: the page is priced on the connection.)"""
        for argument in node.arguments or ():
            if argument.name.value in PAGE_ARGUMENTS:
                if isinstance(argument.value, IntValueNode):
                    try:
                        return max(min(int(argument.value.value), self.page_size), 0)
                    except ValueError:
                        return self.page_size
                return self.page_size  # a variable: assume the largest page
        if _is_connection(field_type):
            return self.page_size
        if _is_list(field_type):
            return self.list_weight
        return 1


def _named(field_type: Any) -> GraphQLNamedType | None:
    while isinstance(field_type, GraphQLNonNull | GraphQLList):
        field_type = field_type.of_type
    return field_type


def _is_list(field_type: Any) -> bool:
    while isinstance(field_type, GraphQLNonNull):
        field_type = field_type.of_type
    return isinstance(field_type, GraphQLList)


def _is_connection(field_type: Any) -> bool:
    named = _named(field_type)
    return named is not None and named.name.endswith("Connection")


def operation_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    *,
    page_size: int,
    list_weight: int,
    ceiling: int,
) -> int:
    """The expanded size of one operation (at most a little over `ceiling`)."""
    root = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }.get(operation.operation)
    pricer = _Pricer(
        schema, fragments, page_size=page_size, list_weight=list_weight, ceiling=ceiling
    )
    return pricer.selection_set(operation.selection_set, root)


class CostCheckedValidation(SchemaExtension):
    """Validation with the cost check first: a too costly operation is refused before any
    validation rule runs (graphql-core's overlapping-fields rule is itself expensive on such a
    document), and the others are validated through strawberry's LRU validation cache.

    It replaces `ValidationCache` in the schema's extensions (that one always validates)."""

    def __init__(self, *, max_cost: int, page_size: int, list_weight: int, cache_size: int) -> None:
        super().__init__()
        self.max_cost = max_cost
        self.page_size = page_size
        self.list_weight = list_weight
        self.cached_validate_document = _get_validate_cache(cache_size)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.pre_execution_errors:  # already refused (the rate limit): nothing to check
            yield
            return
        document = context.graphql_document
        refusal = self.refusal(context.schema._schema, document) if document else None
        if refusal is not None:
            context.pre_execution_errors = [refusal]
        else:
            context.pre_execution_errors = self.cached_validate_document(
                context.schema._schema, document, context.validation_rules
            )
        yield

    def refusal(self, schema: GraphQLSchema, document: DocumentNode) -> GraphQLError | None:
        """The error for an operation of the document that costs too much, if any."""
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        for operation in document.definitions:
            if not isinstance(operation, OperationDefinitionNode):
                continue
            cost = operation_cost(
                schema,
                operation,
                fragments,
                page_size=self.page_size,
                list_weight=self.list_weight,
                ceiling=self.max_cost,
            )
            if cost > self.max_cost:
                logger.warning(
                    "graphql: refused an operation of cost > %s (limit %s) from %s",
                    self.max_cost,
                    self.max_cost,
                    current_caller(),
                )
                return GraphQLError(
                    f"Query too large: it would resolve more than {self.max_cost:,} fields "
                    "(fragments expanded, lists counted by their page size). Ask for fewer "
                    "fields or smaller pages (first).",
                    operation,
                    extensions={"code": QUERY_TOO_COSTLY},
                )
        return None
