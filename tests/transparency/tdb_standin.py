"""A local stand-in for the Commission's DSA Transparency Database API (a real HTTP server on a
free loopback port) that applies the rules the portal must handle:

- `POST /api/v1/statements` with `Authorization: Bearer <token>` and `{"statements": [...]}`;
- at most 100 statements a batch; a batch is validated all-or-nothing: 422 with one error list
  per statement (`errors["statements.<i>.<field>"]`), nothing stored;
- a `puid` it already holds is refused as "not unique" (with `existing_puids`);
- 429 for the next `rate_limited` requests (set by the test); 201 with the stored uuids otherwise.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.realthings import free_port

REQUIRED = (
    "decision_visibility",
    "decision_ground",
    "category",
    "content_type",
    "application_date",
    "territorial_scope",
    "decision_facts",
    "source_type",
    "automated_detection",
    "automated_decision",
    "puid",
)
CATEGORIES = {
    "STATEMENT_CATEGORY_ANIMAL_WELFARE",
    "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
    "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
    "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
    "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
    "STATEMENT_CATEGORY_NON_CONSENSUAL_BEHAVIOUR",
    "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT",
    "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
    "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
    "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
    "STATEMENT_CATEGORY_SELF_HARM",
    "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE",
    "STATEMENT_CATEGORY_UNSAFE_AND_ILLEGAL_PRODUCTS",
    "STATEMENT_CATEGORY_VIOLENCE",
}
SOURCES = {
    "SOURCE_ARTICLE_16",
    "SOURCE_TRUSTED_FLAGGER",
    "SOURCE_TYPE_OTHER_NOTIFICATION",
    "SOURCE_VOLUNTARY",
}
NOT_UNIQUE = "The identifier given is not unique within this platform."


@dataclass
class StandIn:
    """What the stand-in holds and saw."""

    url: str
    token: str
    stored: dict[str, dict[str, Any]] = field(default_factory=dict)  # puid -> statement
    requests: list[tuple[int, int]] = field(default_factory=list)  # (batch size, status)
    rate_limited: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, authorization: str, body: bytes) -> tuple[int, dict[str, Any]]:
        with self.lock:
            status, answer, size = self._answer(authorization, body)
            self.requests.append((size, status))
            return status, answer

    def _answer(self, authorization: str, body: bytes) -> tuple[int, dict[str, Any], int]:
        if authorization != f"Bearer {self.token}":
            return 401, {"message": "Unauthenticated."}, 0
        try:
            statements = json.loads(body)["statements"]
        except (ValueError, KeyError, TypeError):
            return 422, {"message": "statements is required"}, 0
        if self.rate_limited > 0:
            self.rate_limited -= 1
            return 429, {"message": "Too Many Attempts."}, len(statements)
        if not 1 <= len(statements) <= 100:
            return (
                422,
                {"message": "1 to 100 statements", "errors": {"statements": ["max 100"]}},
                len(statements),
            )
        errors: dict[str, list[str]] = {}
        existing: list[str] = []
        seen: set[str] = set()
        for i, statement in enumerate(statements):
            for name in REQUIRED:
                if not statement.get(name):
                    errors[f"statements.{i}.{name}"] = [f"The {name} field is required."]
            if statement.get("category") not in CATEGORIES:
                errors[f"statements.{i}.category"] = ["The selected category is invalid."]
            if statement.get("source_type") not in SOURCES:
                errors[f"statements.{i}.source_type"] = ["The selected source type is invalid."]
            if statement.get("decision_ground") == "DECISION_GROUND_ILLEGAL_CONTENT" and not (
                statement.get("illegal_content_legal_ground")
                and statement.get("illegal_content_explanation")
            ):
                errors[f"statements.{i}.illegal_content_legal_ground"] = ["required"]
            puid = statement.get("puid")
            if puid in self.stored or puid in seen:
                errors[f"statements.{i}.puid"] = [NOT_UNIQUE]
                existing.append(puid)
            seen.add(puid)
        if errors:
            answer = {"message": "The given data was invalid.", "errors": errors}
            if existing:
                answer["existing_puids"] = existing
            return 422, answer, len(statements)
        created = []
        for statement in statements:
            self.stored[statement["puid"]] = statement
            created.append({"uuid": str(uuid.uuid4()), "puid": statement["puid"]})
        return 201, {"statements": created}, len(statements)


@contextmanager
def running_standin(token: str = "tdb-test-token") -> Iterator[StandIn]:  # noqa: S107
    """The stand-in, serving on a free loopback port until the block ends."""
    port = free_port()
    standin = StandIn(url=f"http://127.0.0.1:{port}/api/v1/statements", token=token)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            if self.path != "/api/v1/statements":
                status, answer = 404, {"message": "Not Found"}
            else:
                status, answer = standin.answer(self.headers.get("Authorization", ""), body)
            raw = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield standin
    finally:
        server.shutdown()
        server.server_close()
