"""Query hardening: alias limits that count through fragments, error masking, no suggestions."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)

SUGGESTION_RE = re.compile(r"\s*Did you mean [^?]*\?")
USER_FACING_ERRORS = (ValidationError, PermissionDenied, ObjectDoesNotExist, PermissionError)
# Strawberry's Relay pagination reports bad `first`/`last`/cursor arguments as plain ValueErrors.
PAGINATION_ERROR_RE = re.compile(r"^Argument '(first|last|after|before)' ")


def should_mask_error(error: GraphQLError) -> bool:
    """Mask anything that is not a deliberate, user-facing error (no internals leak)."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False
    if isinstance(original, ValueError) and PAGINATION_ERROR_RE.match(str(original)):
        return False
    return not isinstance(original, USER_FACING_ERRORS)


def strip_suggestions(message: str) -> str:
    """Remove graphql-core's "Did you mean …?" hints, which reveal the schema to strangers."""
    return SUGGESTION_RE.sub("", message)


def alias_limit_rule(max_aliases: int) -> type[ValidationRule]:
    """A validation rule refusing operations with more aliases than allowed, counting each
    fragment as many times as it is spread (so fragments cannot multiply aliases)."""

    class AliasLimitRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            fragments = {
                d.name.value: d
                for d in self.context.document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            count = _count_aliases(node.selection_set, fragments, stack=(), limit=max_aliases)
            if count > max_aliases:
                self.report_error(
                    GraphQLError(f"Too many aliases: at most {max_aliases} per operation.", node)
                )

    return AliasLimitRule


def _count_aliases(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    *,
    stack: tuple[str, ...],
    limit: int,
) -> int:
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            total += 1 if selection.alias else 0
            total += _count_aliases(selection.selection_set, fragments, stack=stack, limit=limit)
        elif isinstance(selection, InlineFragmentNode):
            total += _count_aliases(selection.selection_set, fragments, stack=stack, limit=limit)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in stack:  # cycles are reported by graphql-core
                total += _count_aliases(
                    fragment.selection_set, fragments, stack=(*stack, name), limit=limit
                )
        if total > limit:
            return total
    return total


__all__ = ["ValidationContext", "alias_limit_rule", "should_mask_error", "strip_suggestions"]
