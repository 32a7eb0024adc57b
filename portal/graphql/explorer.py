"""GraphiQL for browsers at `GET /graphql/` (`Accept: text/html`), with example operations.

Everything it loads comes from /static/ (GraphiQL and React from the npm registry, installed by
portal/vendor_assets.py; no CDN), and its one script is a file, so the portal's CSP holds (the
page adds only `data:` fonts, which GraphiQL's stylesheet embeds). It speaks to the API as any
integration does: a pasted token, or, for a member signed in with a second factor, a short-lived
token issued for the browser session (liaison.tokens), since /graphql/ never authenticates by
cookie. Any other GET of /graphql/ keeps its answer (no operations over GET).
"""

from __future__ import annotations

import textwrap
from datetime import datetime
from typing import Any

from csp.decorators import csp_update
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from core.signin import second_factor_verified
from liaison.selectors import membership_for_user
from liaison.tokens import api_token_authenticate, api_token_issue_for_browser_session
from portal.vendor_assets import missing_vendor_assets

SESSION_TOKEN_KEY = "graphiql_token"  # noqa: S105 (a session key name)
# A session token is re-issued when less than this is left of it (seconds).
SESSION_TOKEN_MIN_LEFT_SECONDS = 300


def _operation(text: str) -> str:
    return textwrap.dedent(text).strip() + "\n"


# The contract's operations (API.md), one tab each; a tab's `variables` is JSON text.
EXAMPLES: list[dict[str, str]] = [
    {
        "title": "Who am I",
        "query": _operation("""
            # Who the token (or your session) acts for.
            # Paste a token above, then run (Ctrl-Enter).
            query Viewer {
              viewer { authenticated email isStaff organization { name kind country verified } }
            }
        """),
    },
    {
        "title": "Routing guide (public)",
        "query": _operation("""
            # Public, no token needed: which desk handles a request, and by when.
            query RoutingGuide(
              $kind: RequestKind!, $category: RequestCategory!, $jurisdiction: String!
            ) {
              routingGuide(kind: $kind, category: $category, jurisdiction: $jurisdiction) {
                teamName deadlineSeconds urgent channel requiredFields acceptedLegalBases
              }
            }
        """),
        "variables": '{"kind": "CONTENT_REMOVAL", "category": "TERRORISM", "jurisdiction": "FR"}',
    },
    {
        "title": "Submit a request",
        "query": _operation("""
            # The same idempotencyKey with the same input returns the first request; with
            # another input it is refused (code idempotency_conflict).
            # Bad input: OperationInfo, field by field.
            mutation Submit($input: SubmitLegalRequestInput!) {
              submitLegalRequest(input: $input) {
                ... on LegalRequest { id reference status dueAt handlingTeam { name } }
                ... on OperationInfo { messages { kind field message code } }
              }
            }
        """),
        "variables": textwrap.dedent("""\
            {
              "input": {
                "kind": "PRESERVATION",
                "category": "FRAUD",
                "reference": "CASE-2026-0042",
                "legalBasis": "18 U.S.C. 2703(f) preservation request",
                "jurisdiction": "US",
                "summary": "Preserve the account used in an investment fraud.",
                "targets": [{"kind": "USERNAME", "value": "@example_account"}],
                "idempotencyKey": "case-2026-0042-preservation"
              }
            }"""),
    },
    {
        "title": "My requests",
        "query": _operation("""
            query MyRequests($first: Int, $after: String) {
              legalRequests(first: $first, after: $after) {
                totalCount
                pageInfo { hasNextPage endCursor }
                edges { node { id reference kind category status jurisdiction submittedAt dueAt
                               handlingTeam { name } } }
              }
            }
        """),
        "variables": '{"first": 20}',
    },
    {
        "title": "One request",
        "query": _operation("""
            query OneRequest($id: ID!) {
              legalRequest(id: $id) {
                id reference status dueAt handlingTeam { name }
                targets { kind value }
                timeline { at event status message actor }
              }
            }
        """),
        "variables": '{"id": "paste a LegalRequest id"}',
    },
    {
        "title": "Answer a clarification",
        "query": _operation("""
            mutation Answer($id: ID!, $answer: String!) {
              answerClarification(id: $id, answer: $answer) {
                ... on LegalRequest { id status dueAt }
                ... on OperationInfo { messages { kind field message code } }
              }
            }
        """),
        "variables": '{"id": "paste a LegalRequest id", "answer": "The order is attached."}',
    },
    {
        "title": "Withdraw",
        "query": _operation("""
            mutation Withdraw($id: ID!) {
              withdrawLegalRequest(id: $id) {
                ... on LegalRequest { id status }
                ... on OperationInfo { messages { kind field message code } }
              }
            }
        """),
        "variables": '{"id": "paste a LegalRequest id"}',
    },
    {
        "title": "Disclosure package",
        "query": _operation("""
            # Null unless fulfilled, unexpired and your own. `signature` is Ed25519 over exactly
            # the bytes of `json` (docs/integration.md shows how to verify it).
            query Package($requestId: ID!) {
              disclosurePackage(requestId: $requestId) {
                requestId createdAt expiresAt signingKeyId signature json
                records { targetKind target phoneNumber ipAddresses { address seenAt } }
              }
            }
        """),
        "variables": '{"requestId": "paste a LegalRequest id"}',
    },
    {
        "title": "Follow my requests (subscription)",
        "query": _operation("""
            # Over WebSocket (graphql-transport-ws); the token goes in connection_init.
            # Each request arrives again whenever its status changes.
            subscription Updates {
              legalRequestUpdates { id reference status dueAt handlingTeam { name } }
            }
        """),
    },
    {
        "title": "Hotline",
        "query": _operation("""
            query Conversations {
              hotlineConversations { id title isMainLine lastSeq lastMessageAt }
            }

            mutation Send($input: SendHotlineMessageInput!) {
              sendHotlineMessage(input: $input) {
                ... on HotlineMessage { id seq sentAt }
                ... on OperationInfo { messages { kind field message code } }
              }
            }

            # Replays every message after afterSeq, then live ones.
            subscription Messages($conversationId: ID!, $afterSeq: Int) {
              hotlineMessages(conversationId: $conversationId, afterSeq: $afterSeq) {
                seq body urgent sentAt author { displayName } clientMessageId
              }
            }
        """),
        "variables": textwrap.dedent("""\
            {
              "conversationId": "paste a conversation id",
              "afterSeq": 0,
              "input": {"conversationId": "paste a conversation id", "body": "Hello",
                        "clientMessageId": "msg-0001"}
            }"""),
    },
]


def wants_graphiql(request: HttpRequest) -> bool:
    """A browser asking for a page: GET (or HEAD) that accepts HTML and carries no operation."""
    return (
        request.method in ("GET", "HEAD")
        and "text/html" in request.headers.get("Accept", "")
        and not request.GET
    )


def _session_token(request: HttpRequest) -> tuple[str, str] | None:
    """(token, organization name) for a member signed in with a second factor, else None.

    The token lives in the (server-side) session for as long as it is valid, so that reloading
    the explorer does not mint a new one each time."""
    user: Any = request.user
    if not second_factor_verified(request.session, user):
        return None
    membership = membership_for_user(user=user)
    if membership is None:
        return None
    stored = request.session.get(SESSION_TOKEN_KEY) or {}
    expires_at: datetime | None = parse_datetime(stored.get("expires_at") or "")
    secret = stored.get("secret")
    if (
        secret
        and expires_at is not None
        and (expires_at - timezone.now()).total_seconds() > SESSION_TOKEN_MIN_LEFT_SECONDS
        and stored.get("membership_id") == membership.pk
        and api_token_authenticate(secret) is not None
    ):
        return secret, membership.organization.name
    issued = api_token_issue_for_browser_session(membership=membership)
    request.session[SESSION_TOKEN_KEY] = {
        "secret": issued.secret,
        "expires_at": issued.token.expires_at.isoformat(),
        "membership_id": membership.pk,
    }
    return issued.secret, membership.organization.name


@csp_update({"font-src": ["data:"]})
def graphiql_page(request: HttpRequest) -> HttpResponse:
    """The explorer page; its script (portal/static/portal/graphiql.js) reads the config."""
    session = _session_token(request)
    config = {
        "examples": EXAMPLES,
        "sessionToken": session[0] if session else "",
        "sessionOrganization": session[1] if session else "",
        "texts": {
            "tokenSet": gettext("Token set: operations run as its organization."),
            "tokenForgotten": gettext("Token forgotten: only public fields answer."),
            "operationEditor": gettext("Operation editor"),
            "variablesEditor": gettext("Variables editor"),
            "response": gettext("Response"),
            "tabs": gettext("Example operations"),
        },
    }
    response = render(
        request,
        "portal/graphiql.html",
        {"config": config, "session": session, "assets_missing": missing_vendor_assets()},
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["Vary"] = "Accept, Cookie"
    return response
