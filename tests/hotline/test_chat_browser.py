"""The hotline page in a real headless Chromium against a real uvicorn: an NGO member and a
staff member talk live, the urgent toggle raises a routed ticket, screenshots are saved."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client

from core.staff import StaffProfile
from hotline.models import Message
from liaison.models import LegalRequest
from switchboard.models import Ticket
from tests.browser import CHROMIUM_ARGS, ensure_chromium
from tests.conftest import Member
from tests.factories import StaffUserFactory
from tests.realthings import ROOT, running_portal
from tests.signin import sign_in_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OUTPUT = ROOT / "test-output"
SEEN_TIMEOUT_MS = 10_000


@pytest.fixture(autouse=True)
def _in_memory_channel_layer() -> None:
    """Overrides the switchboard tests' in-memory layer: the server uses real Redis."""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """uvicorn serving the portal on the test database, as `make run` starts it; routing runs
    in-process after each commit (CELERY_TASK_ALWAYS_EAGER: the routing task's body)."""
    with running_portal(tmp_path / "uvicorn.log") as portal:
        try:
            yield portal.url
        finally:
            print(portal.log_text()[-3000:])  # shown by pytest when the test failed


def staff_session() -> str:
    user = StaffUserFactory(first_name="Dana", last_name="Okafor")
    # Outsiders see the name staff choose (with the desk), never the full name or e-mail.
    StaffProfile.objects.create(user=user, display_name="Dana")
    browser = sign_in_staff(Client(), user)
    return browser.cookies["sessionid"].value


def test_ngo_and_staff_talk_live_and_urgent_reports_are_routed(
    policy: None, ngo: Member, server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import expect, sync_playwright

    chromium = ensure_chromium()
    session = staff_session()
    OUTPUT.mkdir(exist_ok=True)
    # Playwright's sync API runs an event loop; Django's ORM calls below happen between its
    # calls, in this thread, never concurrently with it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            ngo_page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
            staff_context = browser.new_context(viewport={"width": 1280, "height": 800})
            staff_context.add_cookies(
                [{"name": "sessionid", "value": session, "url": server, "httpOnly": True}]
            )
            staff_page = staff_context.new_page()
            errors: list[str] = []
            for page in (ngo_page, staff_page):
                page.on("pageerror", lambda error: errors.append(str(error)))

            # The member pastes the token once; it never appears in the address.
            ngo_page.goto(f"{server}/hotline/")
            ngo_page.get_by_label("API token").fill(ngo.token)
            ngo_page.get_by_role("button", name="Connect").click()
            expect(ngo_page.locator("#connection")).to_have_text(
                "Connected", timeout=SEEN_TIMEOUT_MS
            )
            assert ngo.token not in ngo_page.url

            staff_page.goto(f"{server}/hotline/")
            expect(staff_page.locator("#connection")).to_have_text(
                "Connected", timeout=SEEN_TIMEOUT_MS
            )
            expect(ngo_page.locator("#staff-online")).to_have_text(
                "1 staff online", timeout=SEEN_TIMEOUT_MS
            )

            # NGO → staff, live (Enter sends).
            ngo_page.get_by_label("Message", exact=True).fill(
                "Hello, we are seeing a spike of abuse reports tonight."
            )
            ngo_page.get_by_label("Message", exact=True).press("Enter")
            staff_page.get_by_role("button", name=ngo.organization.name).click()
            expect(staff_page.locator("#messages")).to_contain_text(
                "spike of abuse reports", timeout=SEEN_TIMEOUT_MS
            )
            # Staff → NGO, live; the NGO sees the typing indicator first.
            staff_page.get_by_label("Message", exact=True).fill(
                "Thanks, I am here. Send the worst ones as urgent"
            )
            expect(ngo_page.locator("#typing")).to_contain_text(
                "Dana (Platform staff) (staff) is typing", timeout=SEEN_TIMEOUT_MS
            )
            staff_page.get_by_label("Message", exact=True).type(" reports.")
            staff_page.get_by_label("Message", exact=True).press("Enter")
            expect(ngo_page.locator("#messages")).to_contain_text(
                "Send the worst ones as urgent reports.", timeout=SEEN_TIMEOUT_MS
            )

            # The urgent toggle: a MODERATION_NOTICE, routed by the switchboard (1-hour clock).
            ngo_page.get_by_label("Urgent report").check()
            ngo_page.get_by_label("What is it about?").select_option("CHILD_SAFETY")
            ngo_page.get_by_label("Links, channels or @usernames").fill(
                "https://t.me/bad_channel/4242"
            )
            ngo_page.get_by_label("Message", exact=True).fill(
                "Live abuse stream started 5 minutes ago, 2,000 viewers. Please take it down."
            )
            ngo_page.get_by_role("button", name="Send urgent report").click()
            expect(ngo_page.locator(".msg.system")).to_contain_text(
                "Deadline", timeout=SEEN_TIMEOUT_MS
            )
            expect(staff_page.locator(".msg.urgent")).to_contain_text(
                "Live abuse stream", timeout=SEEN_TIMEOUT_MS
            )
            expect(ngo_page.locator("#reports")).to_contain_text(
                "Report routed", timeout=SEEN_TIMEOUT_MS
            )
            staff_page.get_by_label("Message", exact=True).fill(
                "On it: the child-safety desk has it."
            )
            staff_page.get_by_label("Message", exact=True).press("Enter")
            expect(ngo_page.locator("#messages")).to_contain_text(
                "child-safety desk has it", timeout=SEEN_TIMEOUT_MS
            )

            legal_request = LegalRequest.objects.get(kind="MODERATION_NOTICE")
            ticket = Ticket.objects.select_related("team").get(legal_request=legal_request)
            assert legal_request.organization_id == ngo.organization.pk
            assert legal_request.category == "CHILD_SAFETY"
            assert legal_request.status == "ROUTED"
            assert ticket.clock.total_seconds() == 3600
            expect(ngo_page.locator("#reports")).to_contain_text(ticket.team.desk_name)
            assert Message.objects.filter(urgent=True, legal_request=legal_request).count() == 1

            ngo_page.screenshot(path=str(OUTPUT / "hotline-ngo-1280x800.png"))
            staff_page.screenshot(path=str(OUTPUT / "hotline-staff-1280x800.png"))
            ngo_page.set_viewport_size({"width": 420, "height": 860})
            ngo_page.screenshot(path=str(OUTPUT / "hotline-ngo-narrow.png"))
            assert errors == []
        finally:
            browser.close()
