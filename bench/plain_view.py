"""The plain Django JSON view the GraphQL API is measured against (benchmark only, not routed in
production).

It answers what `legalRequests(first: N) { edges { node { reference status kind dueAt
handlingTeam { name } targets { kind value } } } }` answers, byte for byte the same data, and pays
the same costs as the GraphQL endpoint: bearer-token authentication
(`liaison.services.api_token_authenticate`), the per-token rate limit in Redis, the tenancy filter
of `liaison.selectors.legal_request_list` and the same two SQL queries (requests, then their
targets with `prefetch_related`). What it skips is GraphQL itself: parsing, validation, the
extensions and per-field resolution.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpRequest, JsonResponse

from core.ratelimit import rate_limit_hit
from liaison import selectors
from liaison.models import Target
from liaison.tokens import api_token_authenticate
from portal.graphql.views import bearer_token, error_response

DEFAULT_PAGE_SIZE = 50
REQUEST_FIELDS = ("id", "reference", "status", "kind", "due_at", "handling_desk")
TARGET_FIELDS = ("id", "legal_request_id", "kind", "value")


def legal_requests_plain(request: HttpRequest) -> JsonResponse:
    """`GET /bench/plain/?first=N`: the viewer's newest N requests as the GraphQL query shapes
    them (`{"data": {"legalRequests": {"edges": [{"node": …}]}}}`)."""
    token = bearer_token(request)
    actor = api_token_authenticate(token) if token is not None else None
    if actor is None:
        return error_response(401, "UNAUTHENTICATED", "Invalid, expired or revoked API token.")
    decision = rate_limit_hit(
        bucket=f"token:{actor.token_id}", limit=settings.API_RATE_LIMIT_PER_MINUTE
    )
    if not decision.allowed:
        return error_response(429, "RATE_LIMITED", "Rate limit exceeded.")
    try:
        first = int(request.GET.get("first", DEFAULT_PAGE_SIZE))
    except ValueError:
        return error_response(400, "BAD_REQUEST", "`first` must be an integer.")
    first = max(0, min(first, settings.GRAPHQL_PAGE_SIZE_MAX))
    legal_requests = (
        selectors.legal_request_list(actor=actor)
        .only(*REQUEST_FIELDS)
        .prefetch_related(Prefetch("targets", queryset=Target.objects.only(*TARGET_FIELDS)))
    )[:first]
    edges = [
        {
            "node": {
                "reference": legal_request.reference,
                "status": legal_request.status,
                "kind": legal_request.kind,
                # Strawberry's DateTime is `isoformat()`; DjangoJSONEncoder would cut microseconds.
                "dueAt": legal_request.due_at.isoformat() if legal_request.due_at else None,
                "handlingTeam": {"name": legal_request.handling_desk}
                if legal_request.handling_desk
                else None,
                "targets": [
                    {"kind": target.kind, "value": target.value}
                    for target in legal_request.targets.all()
                ],
            }
        }
        for legal_request in legal_requests
    ]
    # Compact separators, as Strawberry's view writes them: the same bytes on the wire.
    return JsonResponse(
        {"data": {"legalRequests": {"edges": edges}}},
        json_dumps_params={"separators": (",", ":")},
    )
