"""The Python snippets of docs/integration.md, extracted and run as written: the webhook check on
a webhook the portal really sent, the package check on a package it really signed, submission
with an idempotency key and the subscription against a real uvicorn."""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from core.actors import Actor
from core.outbox.models import OutboxEvent
from core.outbox.tasks import deliver_outbox_event_task
from liaison.models import LegalRequest, PlatformAccount, WebhookDelivery
from liaison.topics import WEBHOOK_DELIVERY
from tests.conftest import GraphQL, Member
from tests.fixtures import policy  # noqa: F401 - a fixture
from tests.liaison.conftest import fulfilled, route, submit
from tests.realthings import ROOT, running_portal, wait_for

GUIDE = ROOT / "docs" / "integration.md"
SNIPPET = re.compile(r"```python\n# integration-snippet: (?P<name>[a-z]+)\n(?P<code>.*?)```", re.S)
SECRET = "whsec-docs-0123456789"


def snippets() -> dict[str, str]:
    found = {m["name"]: m["code"] for m in SNIPPET.finditer(GUIDE.read_text(encoding="utf-8"))}
    assert set(found) == {"submit", "follow", "webhook", "package"}, sorted(found)
    return found


def load(name: str) -> dict[str, Any]:
    """Run one snippet as a module and return its globals."""
    namespace: dict[str, Any] = {"__name__": f"integration_snippet_{name}"}
    exec(compile(snippets()[name], f"{GUIDE}:{name}", "exec"), namespace)  # noqa: S102
    return namespace


@pytest.fixture
def receiver(settings: Any) -> Iterator[list[tuple[dict[str, str], bytes]]]:
    """An integrator's webhook endpoint on 127.0.0.1 (allowed here, plain http)."""
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_ALLOW_HTTP = True
    received: list[tuple[dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers.items()), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    received_url = f"http://127.0.0.1:{server.server_address[1]}/hooks/liaison"
    settings.DOCS_RECEIVER_URL = received_url
    yield received
    server.shutdown()
    server.server_close()


@pytest.mark.django_db
def test_the_webhook_snippet_verifies_a_real_webhook(
    authority: Member, receiver: list[tuple[dict[str, str], bytes]], settings: Any
) -> None:
    organization = authority.organization
    organization.webhook_url = settings.DOCS_RECEIVER_URL
    organization.webhook_secret = SECRET
    organization.save()
    legal_request = route(submit(authority, reference="DOCS/1"))
    delivery = WebhookDelivery.objects.get(legal_request=legal_request)
    event = OutboxEvent.objects.get(topic=WEBHOOK_DELIVERY.name, payload__delivery_id=delivery.pk)
    deliver_outbox_event_task.apply(args=[event.pk])
    assert len(receiver) == 1
    headers, body = receiver[0]

    verify_webhook = load("webhook")["verify_webhook"]
    notice = verify_webhook(SECRET, headers["X-Liaison-Signature"], body)
    assert notice["event"] == "legal_request.status_changed"
    assert notice["legal_request"]["reference"] == "DOCS/1"
    assert notice["legal_request"]["status"] == "ROUTED"
    # The documented example body has the same keys, in the same (sorted) order.
    example = re.search(r"```json\n(.*?)\n```", GUIDE.read_text(encoding="utf-8"), re.S)
    assert example is not None
    assert list(json.loads(example.group(1))) == list(json.loads(body)) == sorted(notice)

    timestamp = int(headers["X-Liaison-Signature"].split(",")[0][2:])
    with pytest.raises(ValueError, match="bad signature"):
        verify_webhook(SECRET, headers["X-Liaison-Signature"], body.replace(b"ROUTED", b"REJECT"))
    with pytest.raises(ValueError, match="bad signature"):
        verify_webhook("another-secret", headers["X-Liaison-Signature"], body)
    with pytest.raises(ValueError, match="replay"):
        verify_webhook(SECRET, headers["X-Liaison-Signature"], body, now=timestamp + 301)
    with pytest.raises(ValueError, match="malformed"):
        verify_webhook(SECRET, "v1=abc", body)


PACKAGE = """query($id: ID!) { disclosurePackage(requestId: $id) {
  requestId createdAt expiresAt signingKeyId signature json csv
  records { targetKind target phoneNumber ipAddresses { address seenAt } } } }"""


@pytest.mark.django_db
def test_the_package_snippet_verifies_a_real_package(
    gql: GraphQL, client: Client, authority: Member, staff_one: Actor, staff_two: Actor
) -> None:
    from strawberry.relay import to_base64

    # The platform holds the target's account, so the package has records to sign.
    PlatformAccount.objects.get_or_create(
        username="fraud_boss", defaults={"user_id": 100_001, "phone_number": "+4915123456789"}
    )
    legal_request = fulfilled(authority, staff_one, staff_two)
    request_id = to_base64("LegalRequest", str(legal_request.pk))
    package = gql(PACKAGE, {"id": request_id}, token=authority.token)["data"]["disclosurePackage"]
    published = client.get("/.well-known/liaison-signing-key").json()

    verify_package = load("package")["verify_package"]
    records = verify_package(package, published)
    assert records
    assert records[0]["target"] == package["records"][0]["target"]
    assert records[0]["phone_number"] == package["records"][0]["phoneNumber"]

    altered = {**package, "json": package["json"].replace("fraud_boss", "fraud_bosx")}
    assert altered["json"] != package["json"]
    with pytest.raises(ValueError, match="does not match"):
        verify_package(altered, published)
    with pytest.raises(ValueError, match="another key"):
        verify_package(package, {**published, "key_id": "someone-else"})


@pytest.mark.usefixtures("policy")
@pytest.mark.django_db(transaction=True)
def test_the_submit_and_follow_snippets_against_a_real_server(
    authority: Member, tmp_path: Path
) -> None:
    submitting, following = load("submit"), load("follow")
    preservation = {
        "kind": "PRESERVATION",
        "category": "FRAUD",
        "reference": "AZ 123/26",
        "legalBasis": "18 U.S.C. 2703(f) preservation request",
        "jurisdiction": "US",
        "summary": "Preserve the account used in an investment fraud.",
        "targets": [{"kind": "USERNAME", "value": "@fraud_boss"}],
    }
    with running_portal(tmp_path / "uvicorn.log") as portal:
        updates: list[dict[str, Any]] = []
        ws_url = portal.url.replace("http", "ws") + "/graphql/"
        follower = threading.Thread(
            target=lambda: asyncio.run(
                following["follow_updates"](ws_url, authority.token, updates.append, limit=1)
            ),
            daemon=True,
        )
        follower.start()
        # Connected (the subscribe message follows at once); a change before it would not be
        # seen (documented: catch up with a query), so the request changes twice below.
        wait_for(lambda: "[accepted]" in portal.log_text(), 10, "the WebSocket to be accepted")
        submit_request = submitting["submit_request"]
        first = submit_request(portal.url, authority.token, preservation, "az-123-26-preservation")
        assert first["reference"] == "AZ 123/26"
        assert first["status"] in ("RECEIVED", "ROUTED")
        again = submit_request(portal.url, authority.token, preservation, "az-123-26-preservation")
        assert again["id"] == first["id"]
        assert LegalRequest.objects.filter(reference="AZ 123/26").count() == 1
        with pytest.raises(ValueError, match="idempotency_conflict"):
            submit_request(
                portal.url,
                authority.token,
                {**preservation, "summary": "Something else."},
                "az-123-26-preservation",
            )
        withdrawn = submitting["graphql"](
            portal.url,
            authority.token,
            "mutation($id: ID!) { withdrawLegalRequest(id: $id) { __typename } }",
            {"id": first["id"]},
        )
        assert withdrawn["data"]["withdrawLegalRequest"]["__typename"] == "LegalRequest"
        follower.join(timeout=20)
        assert not follower.is_alive(), portal.log_text()[-2000:]
    assert updates[0]["reference"] == "AZ 123/26"
    assert updates[0]["status"] in ("ROUTED", "WITHDRAWN")
