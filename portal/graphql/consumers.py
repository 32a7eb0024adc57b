"""GraphQL over WebSocket (graphql-transport-ws): authenticates in `connection_init`."""

from __future__ import annotations

from typing import Any

from channels.consumer import get_handler_name
from strawberry.channels import GraphQLWSConsumer
from strawberry.channels.handlers.base import ChannelsMessage
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.unset import UNSET, UnsetType

from core.actors import Actor, session_staff_actor
from core.asgi import ClosedSocketGuard
from core.dbthreads import database_async
from core.graphql.context import Context
from core.graphql.origin import BROWSER_ORIGIN_KEY
from core.http import scope_client_ip
from core.logging import caller_label, set_current_caller
from core.signin import staff_signed_in
from liaison.tokens import TokenAttemptsExceeded, api_token_authenticate_from

# Close code for a connection refused for too many invalid tokens from its address (the one
# graphql-ws uses for "too many" refusals), with the Retry-After in the reason.
TOO_MANY_INVALID_TOKENS = 4429


def _staff_actor(user: Any, session: Any) -> Actor | None:
    """Staff signed in with their second factor (a password-only session is nobody)."""
    return session_staff_actor(user) if staff_signed_in(user, session) else None


class PortalGraphQLWSConsumer(ClosedSocketGuard, GraphQLWSConsumer):
    """Subscriptions and operations over WebSocket for token holders and staff sessions.

    Every operation on the socket is charged to the same rate-limit bucket as the caller's HTTP
    requests (core.graphql.ratelimit, a schema extension); a refused one gets an `error`
    message for its id and the socket stays open."""

    async def dispatch(self, message: ChannelsMessage) -> None:
        """A WebSocket frame goes straight to its handler. Channels' own dispatch first awaits
        `aclose_old_connections()` on the process's one thread-sensitive thread, so every frame
        of every socket (a send, a subscribe) queued there behind any database call running
        on it; the database calls of this consumer run on core.dbthreads, which closes old
        connections around each call itself."""
        if str(message.get("type", "")).startswith("websocket."):
            handler = getattr(self, get_handler_name(message), None)
            if handler is not None:
                await handler(message)
                return
        await super().dispatch(message)

    async def get_context(  # type: ignore[override]
        self, request: GraphQLWSConsumer, response: GraphQLWSConsumer
    ) -> Context:
        """One context per connection; `on_ws_connect` sets its actor."""
        return Context(request=request, ws=request, client_address=scope_client_ip(self.scope))

    async def on_ws_connect(  # type: ignore[override]
        self, context: Context
    ) -> UnsetType | dict[str, object] | None:
        params: Any = context.connection_params or {}
        authorization = params.get("authorization") if isinstance(params, dict) else None
        actor: Actor | None = None
        if isinstance(authorization, str) and authorization.lower().startswith("bearer "):
            try:
                actor = await database_async(api_token_authenticate_from)(
                    authorization[7:].strip(), client_address=context.client_address
                )
            except TokenAttemptsExceeded as refused:
                # Closed here with its own code; the handler's 4403 that follows is dropped.
                await self.close(code=TOO_MANY_INVALID_TOKENS, reason=str(refused)[:120])
                raise ConnectionRejectionError({"message": str(refused)}) from refused
            if actor is None:
                raise ConnectionRejectionError(
                    {"message": "Invalid, expired or revoked API token."}
                )
        elif authorization is not None:
            raise ConnectionRejectionError({"message": 'Use {"authorization": "Bearer <token>"}.'})
        else:
            # The session cookie counts only for a browser on one of our own origins.
            user = self.scope.get("user") if self.scope.get(BROWSER_ORIGIN_KEY) else None
            actor = await database_async(_staff_actor)(user, self.scope.get("session"))
            if actor is None:
                raise ConnectionRejectionError({"message": "Authentication required."})
        context.actor = actor
        # Operation tasks start from this task: they inherit the caller for their log lines.
        set_current_caller(caller_label(actor, context.client_address))
        return UNSET
