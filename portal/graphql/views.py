"""The GraphQL HTTP endpoint: bearer-token authentication, rate limits, no schema hints."""

from __future__ import annotations

from typing import Any

from cross_web import HTTPException
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from graphql import ExecutionResult
from strawberry.django.views import GraphQLView
from strawberry.http import GraphQLHTTPResponse, process_result

from core.actors import Actor
from core.graphql.context import Context
from core.graphql.ratelimit import RATE_LIMITED
from core.graphql.security import strip_suggestions
from core.http import bearer_token, client_ip, error_response
from core.logging import caller_label, set_current_caller
from liaison.tokens import TokenAttemptsExceeded, api_token_authenticate_from
from portal.graphql.explorer import graphiql_page, wants_graphiql

API_LANGUAGE = "en"


class PortalGraphQLView(GraphQLView):
    """GraphQL over HTTP for authorities and NGOs (tokens) and the public (routing guide)."""

    def __init__(self, **kwargs: Any) -> None:
        # No operations over GET (no CSRF-able mutations, no tokens in URLs), and not strawberry's
        # IDE (it loads from a CDN): browsers get ours, portal/graphql/explorer.py.
        kwargs.setdefault("allow_queries_via_get", False)
        kwargs.setdefault("graphql_ide", None)
        super().__init__(**kwargs)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if wants_graphiql(request):
            return graphiql_page(request)
        # The API speaks English whatever Accept-Language or the language cookie say (the
        # LocaleMiddleware activated one for the pages): its messages are a contract clients
        # match on, and Django's own (e.g. an invalid UUID) would otherwise follow the browser.
        with translation.override(API_LANGUAGE):
            response = self._dispatch(request, *args, **kwargs)
        response.headers["Content-Language"] = API_LANGUAGE
        return response

    def _dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        token = bearer_token(request)
        actor: Actor | None = None
        address = client_ip(request)
        if token is not None:
            try:
                actor = api_token_authenticate_from(token, client_address=address)
            except TokenAttemptsExceeded as refused:
                return error_response(
                    429,
                    RATE_LIMITED,
                    str(refused),
                    **{"Retry-After": str(refused.decision.retry_after)},
                )
            if actor is None:
                return error_response(
                    401, "UNAUTHENTICATED", "Invalid, expired or revoked API token."
                )
        elif "Authorization" in request.headers:
            return error_response(401, "UNAUTHENTICATED", "Use 'Authorization: Bearer <token>'.")
        # The per-operation rate limit is the schema's (core.graphql.ratelimit), shared with
        # the WebSocket consumer.
        request.liaison_actor = actor  # type: ignore[attr-defined]
        set_current_caller(caller_label(actor, address))
        return super().dispatch(request, *args, **kwargs)

    def parse_http_body(self, request: Any) -> Any:
        """The operation of a request; 400 for a body that is not UTF-8 (the request adapter
        decodes it before parse_json sees it)."""
        try:
            return super().parse_http_body(request)
        except UnicodeDecodeError as error:
            raise HTTPException(400, "The request body is not valid UTF-8.") from error

    def parse_json(self, data: str | bytes) -> Any:
        """The body as JSON, or 400 for anything that is not (strawberry catches only syntax
        errors: invalid UTF-8, a too-deep document and a 5,000-digit integer raised 500s)."""
        try:
            return self.decode_json(data)
        except (ValueError, RecursionError) as error:  # JSONDecodeError and UnicodeError too
            raise HTTPException(400, "Unable to parse request body as JSON") from error

    def get_context(self, request: HttpRequest, response: HttpResponse) -> Context:  # type: ignore[override]
        """The operation's context, with the actor `dispatch` authenticated (or None)."""
        return Context(
            request=request,
            response=response,
            actor=_request_actor(request),
            client_address=client_ip(request),
        )

    def process_result(  # type: ignore[override]
        self, request: HttpRequest, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        data = process_result(result)
        errors: list[dict[str, Any]] = data.get("errors") or []  # type: ignore[assignment]
        if _request_actor(request) is None:
            for error in errors:
                error["message"] = strip_suggestions(error["message"])
        return data


def _request_actor(request: HttpRequest) -> Actor | None:
    return getattr(request, "liaison_actor", None)
