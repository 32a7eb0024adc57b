"""Attack: a small document of nested fragment spreads that expands to millions of fields.

Before: 480 bytes made the server resolve 10^6 fields (8.7 s of CPU); depth, alias and token
limits did not see it. Now the expanded size is priced before execution and refused at once.
"""

from __future__ import annotations

import json
import time
import urllib.request

import pytest

from tests.security.conftest import PortalServer

pytestmark = pytest.mark.django_db(transaction=True)


def fan_out(levels: int, width: int = 10) -> str:
    """`query { ...F1 } fragment F1 on Query { ...F2 xwidth } … fragment Fn { viewer {…} }`."""
    spreads = [
        f"fragment F{i} on Query {{ {' '.join([f'...F{i + 1}'] * width)} }}"
        for i in range(1, levels)
    ]
    return " ".join(
        ["query { ...F1 }", *spreads, f"fragment F{levels} on Query {{ viewer {{ __typename }} }}"]
    )


def post(server: PortalServer, query: str) -> tuple[float, dict]:
    request = urllib.request.Request(  # noqa: S310 - loopback test server
        f"{server.url}/graphql/",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        body = json.loads(response.read())
    return time.perf_counter() - started, body


@pytest.mark.parametrize("levels", [7, 9])
def test_fragment_fan_out_is_refused_before_execution(
    portal_server: PortalServer, levels: int
) -> None:
    document = fan_out(levels)
    assert len(document.encode()) < 800  # the 480- and 780-byte documents of the report
    elapsed, body = post(portal_server, document)
    assert body.get("data") is None
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert "Query too large" in error["message"]
    # The whole round trip, server time included, stays far below the 8.7 s / 45 s of before.
    assert elapsed < 0.5, f"refusal took {elapsed:.3f} s"
    assert "refused an operation of cost" in portal_server.log_text()


def test_an_ordinary_page_of_requests_is_not_refused(portal_server: PortalServer) -> None:
    _, body = post(
        portal_server,
        "{ viewer { authenticated } routingGuide(kind: CONTENT_REMOVAL, category: TERRORISM, "
        'jurisdiction: "DE") { teamName deadlineSeconds requiredFields } }',
    )
    assert "errors" not in body, body
    assert body["data"]["viewer"]["authenticated"] is False
