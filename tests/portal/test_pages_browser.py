"""The public pages in a real headless Chromium against a real uvicorn: the front door, the
routing guide, the integration guide and GraphiQL, at 1,366 px and 375 px, each checked with
axe-core (no serious or critical violation) and screenshotted into test-output/."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from liaison.models import LegalRequest
from tests.browser import (
    CHROMIUM_ARGS,
    assert_no_serious_axe_violations,
    ensure_browser_assets,
    ensure_chromium,
)
from tests.conftest import Member
from tests.realthings import ROOT, running_portal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OUTPUT = ROOT / "test-output"
SEEN_TIMEOUT_MS = 15_000
WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 375, "height": 812}}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """uvicorn serving the portal on the test database, as `make run` starts it."""
    with running_portal(tmp_path / "uvicorn.log") as portal:
        try:
            yield portal.url
        finally:
            print(portal.log_text()[-3000:])  # shown by pytest when the test failed


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    chromium = ensure_chromium()
    ensure_browser_assets()  # GraphiQL's files, axe-core
    OUTPUT.mkdir(exist_ok=True)
    # Playwright's sync API runs an event loop; the ORM calls between its calls are ours.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


def open_page(browser: Any, size: str, *, locale: str = "en-GB") -> tuple[Any, list[str]]:
    """A fresh page at one of WIDTHS that records script errors and CSP refusals."""
    context = browser.new_context(viewport=WIDTHS[size], locale=locale)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}") if message.type == "error" else None
        ),
    )
    return page, problems


SUBMIT = """mutation($input: SubmitLegalRequestInput!) { submitLegalRequest(input: $input) {
  ... on LegalRequest { id reference } ... on OperationInfo { messages { field message } } } }"""
PRESERVATION = {
    "kind": "PRESERVATION",
    "category": "FRAUD",
    "reference": "GRAPHIQL-LIVE-1",
    "legalBasis": "18 U.S.C. 2703(f) preservation request",
    "jurisdiction": "US",
    "summary": "Preserve the account.",
    "targets": [{"kind": "USERNAME", "value": "@fraud_boss"}],
}


def post_graphql(server: str, token: str, query: str, variables: dict[str, Any]) -> Any:
    request = urllib.request.Request(  # noqa: S310 (the test server)
        f"{server}/graphql/",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        return json.loads(answer.read())


def no_horizontal_scroll(page: Any) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"{page.url} scrolls sideways by {overflow} px"


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_front_door_guide_and_integration_guide(
    policy: None, server: str, browser: Any, size: str
) -> None:
    from playwright.sync_api import expect

    page, problems = open_page(browser, size)
    page.goto(f"{server}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("One front door")
    expect(page.get_by_role("heading", name="In an emergency")).to_be_visible()
    assert_no_serious_axe_violations(page, context=f"front door at {size}")
    no_horizontal_scroll(page)
    page.screenshot(path=str(OUTPUT / f"front-door-{size}.png"), full_page=True)

    # Keyboard: the skip link comes first and shows a focus ring.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the content")).to_be_focused()

    page.get_by_role("link", name="Routing guide", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Where to send a legal request")
    page.get_by_label("What do you need?").select_option("CONTENT_REMOVAL")
    page.get_by_label("What is it about?").select_option("TERRORISM")
    page.get_by_label("Your country").select_option("FR")
    page.get_by_role("button", name="Show me").click()
    expect(page.get_by_test_id("desk")).to_have_text("Counter-Terrorism Desk")
    assert_no_serious_axe_violations(page, context=f"guide with an answer at {size}")
    no_horizontal_scroll(page)
    page.screenshot(path=str(OUTPUT / f"guide-{size}.png"), full_page=True)

    page.goto(f"{server}/docs/integration/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Integration guide")
    assert_no_serious_axe_violations(page, context=f"integration guide at {size}")
    no_horizontal_scroll(page)
    page.screenshot(path=str(OUTPUT / f"integration-guide-{size}.png"))
    assert problems == []


def test_languages_from_the_browser_and_the_switch(policy: None, server: str, browser: Any) -> None:
    from playwright.sync_api import expect

    page, problems = open_page(browser, "phone", locale="fr-FR")
    page.goto(f"{server}/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(
        page.get_by_role("heading", name="En cas d\N{RIGHT SINGLE QUOTATION MARK}urgence")
    ).to_be_visible()
    assert_no_serious_axe_violations(page, context="front door in French")
    page.screenshot(path=str(OUTPUT / "front-door-fr-phone.png"), full_page=True)
    page.get_by_role("link", name="Deutsch").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    page.get_by_role("link", name="Routing-Leitfaden").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wohin mit einem Rechtsersuchen")
    expect(page.get_by_role("link", name="Deutsch")).to_have_attribute("aria-current", "true")
    assert_no_serious_axe_violations(page, context="guide in German")
    page.screenshot(path=str(OUTPUT / "guide-de-phone.png"), full_page=True)
    assert problems == []


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_graphiql_runs_queries_and_follows_a_subscription(
    policy: None, authority: Member, server: str, browser: Any, size: str
) -> None:
    from playwright.sync_api import expect

    page, problems = open_page(browser, size)
    page.goto(f"{server}/graphql/")
    expect(page.locator(".graphiql-container")).to_be_visible(timeout=SEEN_TIMEOUT_MS)
    # The examples are tabs; the first asks who the viewer is, anonymous before a token.
    expect(page.locator(".graphiql-tab")).to_have_count(10, timeout=SEEN_TIMEOUT_MS)
    assert_no_serious_axe_violations(page, context=f"GraphiQL at {size}")
    page.get_by_label("API token").fill(authority.token)
    page.get_by_role("button", name="Use token").click()
    expect(page.get_by_role("status")).to_contain_text("Token set")
    assert authority.token not in page.url
    page.locator(".graphiql-execute-button").click()
    response = page.locator(".graphiql-response")
    expect(response).to_contain_text(authority.organization.name, timeout=SEEN_TIMEOUT_MS)
    page.screenshot(path=str(OUTPUT / f"graphiql-{size}.png"))

    # The subscription tab: live over graphql-transport-ws with the pasted token.
    page.locator(".graphiql-tab", has_text="Updates").click()
    expect(page.locator(".graphiql-query-editor")).to_contain_text("subscription Updates")
    page.locator(".graphiql-execute-button").click()
    page.wait_for_timeout(1500)  # the WebSocket subscribes; nothing to poll from here
    # Submitted by another client of the same organization, through the running server.
    submitted = post_graphql(server, authority.token, SUBMIT, {"input": PRESERVATION})
    assert submitted["data"]["submitLegalRequest"]["reference"] == "GRAPHIQL-LIVE-1"
    expect(response).to_contain_text("GRAPHIQL-LIVE-1", timeout=SEEN_TIMEOUT_MS)
    assert LegalRequest.objects.filter(reference="GRAPHIQL-LIVE-1").count() == 1
    page.screenshot(path=str(OUTPUT / f"graphiql-subscription-{size}.png"))
    assert problems == []


@pytest.fixture
def member_session(authority: Member) -> str:
    """The session cookie of the authority's member, signed in with a second factor (made
    before Playwright's event loop runs in this thread)."""
    from django.test import Client

    from tests.signin import sign_in_staff

    return sign_in_staff(Client(), authority.membership.user).cookies["sessionid"].value


def test_graphiql_with_the_members_session(
    policy: None, authority: Member, member_session: str, server: str, browser: Any
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport=WIDTHS["desktop"], locale="fr-FR")
    context.add_cookies(
        [{"name": "sessionid", "value": member_session, "url": server, "httpOnly": True}]
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{server}/graphql/")
    expect(page.get_by_role("status")).to_contain_text(authority.organization.name)
    expect(page.get_by_role("status")).to_contain_text("Connecté")
    expect(page.get_by_label("Jeton d\N{RIGHT SINGLE QUOTATION MARK}API")).to_have_count(0)
    expect(page.locator(".graphiql-tab")).to_have_count(10, timeout=SEEN_TIMEOUT_MS)
    page.locator(".graphiql-execute-button").click()
    response = page.locator(".graphiql-response")
    expect(response).to_contain_text(authority.organization.name, timeout=SEEN_TIMEOUT_MS)
    assert_no_serious_axe_violations(page, context="GraphiQL with a session, in French")
    page.screenshot(path=str(OUTPUT / "graphiql-session-fr-desktop.png"))
    assert problems == []
