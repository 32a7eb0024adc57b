"""Query hardening: alias limits that count through fragments, error masking, no suggestions,
and the one place every GraphQL error passes on its way out (`HardenedSchema.process_errors`):
Django's message parameters applied, one log line for a client's error, a traceback only for an
unexpected one."""

from __future__ import annotations

import logging
import re
from typing import Any

import strawberry
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
from strawberry.types import ExecutionContext

from core.graphql.resolution import PortalExecutionContext, streamline
from core.logging import current_caller

logger = logging.getLogger(__name__)
# Refusals logged where they are decided, with their figures (core.graphql.cost).
LOGGED_WHERE_REFUSED = frozenset({"QUERY_TOO_COSTLY"})
LOG_MESSAGE_MAX = 300

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


def validation_message(error: ValidationError) -> str:
    """A Django ValidationError as a client reads it: every message with its params applied.
    graphql-core takes an original error's `.message` as is, which for Django is the template
    ("“%(value)s” is not a valid UUID.")."""
    return " ".join(str(message) for message in error.messages)


class HardenedSchema(strawberry.Schema):
    """The portal's schema class: every error of every operation (HTTP and WebSocket, before
    and during execution, subscription events too) passes `process_errors` before the
    extensions (MaskErrors) and the transport see it. Its fields resolve without per-field
    plumbing they do not need (`core.graphql.resolution`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("execution_context_class", PortalExecutionContext)
        super().__init__(*args, **kwargs)
        streamline(self._schema)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            original = error.original_error
            if isinstance(original, ValidationError) and not isinstance(original, GraphQLError):
                error.message = validation_message(original)
            log_graphql_error(error)


def log_graphql_error(error: GraphQLError) -> None:
    """One line for an error the client caused (validation, OperationInfo-style refusals,
    not found, rate limits); a traceback only for an unexpected error (the ones masked)."""
    where = ".".join(str(part) for part in error.path) if error.path else "-"
    if should_mask_error(error):
        logger.error(
            "graphql: unexpected error at %s for %s: %r",
            where,
            current_caller(),
            error.original_error,
            exc_info=error.original_error,
        )
        return
    code = (error.extensions or {}).get("code") or (
        type(error.original_error).__name__ if error.original_error else "GRAPHQL_INVALID"
    )
    if code in LOGGED_WHERE_REFUSED:
        return
    message = " ".join(str(error.message).split())[:LOG_MESSAGE_MAX]
    logger.info("graphql: %s at %s for %s: %s", code, where, current_caller(), message)


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


__all__ = [
    "HardenedSchema",
    "ValidationContext",
    "alias_limit_rule",
    "log_graphql_error",
    "should_mask_error",
    "strip_suggestions",
    "validation_message",
]
