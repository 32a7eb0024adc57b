"""One rate limit for every GraphQL operation, over HTTP and over WebSocket alike.

Each operation costs its caller one call of the bucket (`operation_bucket`): an API token's, a
staff member's, or, for anonymous callers, the client address's. It is charged once per
operation in `on_operation`, which runs exactly once whatever the transport: a query or
mutation over HTTP or WebSocket, and a subscription when it starts (not per event). So the
same token shares one budget across HTTP and every socket it opens.

A refused operation does not run: the refusal replaces validation (`on_validate`), so it
costs no validation work and comes back as the operation's pre-execution error. Over HTTP that
is a 429 with Retry-After; over graphql-transport-ws an `error` message for that operation id
(the socket stays open, the client can retry later).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from core.graphql.context import Context
from core.ratelimit import RateDecision, describe_limit, rate_limit_hit

RATE_LIMITED = "RATE_LIMITED"


def operation_bucket(context: Context) -> tuple[str, int]:
    """The bucket an operation is charged to, and its limit per window."""
    actor = context.actor
    if actor is None:
        return f"ip:{context.client_address}", int(settings.API_ANONYMOUS_RATE_LIMIT_PER_MINUTE)
    if actor.token_id is not None:
        return f"token:{actor.token_id}", int(settings.API_RATE_LIMIT_PER_MINUTE)
    return f"user:{actor.user.pk}", int(settings.API_RATE_LIMIT_PER_MINUTE)


def rate_limit_error(decision: RateDecision) -> GraphQLError:
    """The refusal of an operation over the limit (code RATE_LIMITED, `retryAfter` seconds)."""
    return GraphQLError(
        describe_limit(decision, "requests"),
        extensions={"code": RATE_LIMITED, "retryAfter": decision.retry_after},
    )


class OperationRateLimit(SchemaExtension):
    """Charges every operation to its caller's bucket; refuses it when over the limit.

    First in the schema's extensions: its refusal is set before the cost check and validation,
    which then do nothing (`CostCheckedValidation` skips an operation already refused)."""

    refusal: RateDecision | None = None

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        if isinstance(context, Context):
            bucket, limit = operation_bucket(context)
            decision = rate_limit_hit(bucket=bucket, limit=limit)
            self.refusal = None if decision.allowed else decision
        yield

    def on_validate(self) -> Iterator[None]:
        if self.refusal is not None:
            self.execution_context.pre_execution_errors = [rate_limit_error(self.refusal)]
            response = getattr(self.execution_context.context, "response", None)
            if response is not None:  # HTTP: the view's sub-response sets status and headers
                response.status_code = 429
                response["Retry-After"] = str(self.refusal.retry_after)
        yield
