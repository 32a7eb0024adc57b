"""The request page of a held request in admin, in a real headless Chromium against a real
uvicorn, at 1,366 px and 375 px: the intake signals panel is there and readable, no console
error, screenshots saved (test-output/)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.browser import CHROMIUM_ARGS, ensure_chromium
from tests.conftest import Member
from tests.factories import StaffUserFactory
from tests.liaison.conftest import route, submit
from tests.realthings import ROOT, running_portal
from tests.signin import sign_in_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OUTPUT = ROOT / "test-output"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    with running_portal(tmp_path / "uvicorn.log") as portal:
        try:
            yield portal.url
        finally:
            print(portal.log_text()[-3000:])


def watch_errors(page: Any) -> list[str]:
    """Page errors and failed responses (4xx/5xx, with their URL) of a page, as they come."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "response",
        lambda response: (
            errors.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )
    return errors


def test_staff_read_the_signals_of_a_held_request(
    authority: Member, server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import expect, sync_playwright

    chromium = ensure_chromium()
    authority.organization.email_domain = "polizei.example"
    authority.organization.save(update_fields=["email_domain"])
    held = route(submit(authority))
    session = sign_in_staff(Client(), StaffUserFactory()).cookies["sessionid"].value
    OUTPUT.mkdir(exist_ok=True)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            for width, height in ((1366, 900), (375, 812)):
                context = browser.new_context(viewport={"width": width, "height": height})
                context.add_cookies(
                    [{"name": "sessionid", "value": session, "url": server, "httpOnly": True}]
                )
                page = context.new_page()
                errors = watch_errors(page)
                page.goto(f"{server}/admin/liaison/legalrequest/?held=yes")
                expect(page.locator("td.field-verification")).to_contain_text(
                    "HELD for verification (score 55)"
                )
                page.screenshot(path=str(OUTPUT / f"held-requests-list-{width}.png"))
                page.goto(f"{server}/admin/liaison/legalrequest/{held.pk}/change/")
                panel = page.locator("#intake-signals")
                expect(panel).to_contain_text("Intake signals: HELD FOR VERIFICATION")
                expect(panel).to_contain_text("member e-mail outside the organization")
                panel.scroll_into_view_if_needed()
                panel.screenshot(path=str(OUTPUT / f"held-request-signals-{width}.png"))
                page.screenshot(path=str(OUTPUT / f"held-request-{width}.png"), full_page=True)
                # Nothing wider than the screen (the panel wraps at 375 px).
                assert page.evaluate(
                    "() => document.querySelector('#intake-signals').scrollWidth"
                ) <= max(width, page.evaluate("() => document.documentElement.clientWidth"))
                assert errors == []
                context.close()
        finally:
            browser.close()
