"""The hotline page under stress, in a real Chromium against a real uvicorn: an urgent report
needs a chosen category, deadlines read in UTC and local time on a 24-hour clock, the report
card opens the request in the console, the focus ring is visible, the messages own the phone's
screen, staff see unread counts per conversation, and axe-core finds nothing serious."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from core.graphql.ids import encode_global_id
from core.staff import StaffProfile
from hotline import services
from hotline.models import Message
from liaison.models import LegalRequest
from tests.browser import CHROMIUM_ARGS, assert_no_serious_axe_violations, ensure_chromium
from tests.conftest import Member, make_member
from tests.factories import NgoFactory, StaffUserFactory
from tests.realthings import ROOT, running_portal, wait_for
from tests.signin import sign_in_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OUTPUT = ROOT / "test-output"
SEEN_TIMEOUT_MS = 10_000
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture(autouse=True)
def _in_memory_channel_layer() -> None:
    """Overrides the switchboard tests' in-memory layer: the server uses real Redis."""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    with running_portal(tmp_path / "uvicorn.log") as portal:
        try:
            yield portal.url
        finally:
            print(portal.log_text()[-3000:])


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    chromium = ensure_chromium()
    OUTPUT.mkdir(exist_ok=True)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


def connect_member(browser: Any, server: str, member: Member, viewport: dict) -> tuple[Any, list]:
    from playwright.sync_api import expect

    # An officer in Berlin: local time differs from UTC.
    context = browser.new_context(viewport=viewport, locale="en-GB", timezone_id="Europe/Berlin")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server}/hotline/")
    expect(page.get_by_label("API token")).to_be_visible()
    assert_no_serious_axe_violations(page, context="hotline sign-in")
    page.get_by_label("API token").fill(member.token)
    page.get_by_role("button", name="Connect").click()
    expect(page.locator("#connection")).to_have_text("Connected", timeout=SEEN_TIMEOUT_MS)
    expect(page.locator('#conversations button[aria-current="true"]')).to_have_count(1)
    expect(page.locator("#messages")).to_contain_text("No messages yet")
    return page, errors


def test_an_urgent_report_under_stress_on_a_phone(
    policy: None, ngo: Member, server: str, browser: Any
) -> None:
    from playwright.sync_api import expect

    page, errors = connect_member(browser, server, ngo, PHONE)
    page.get_by_label("Message", exact=True).fill("Morning, quiet night here.")
    page.get_by_label("Message", exact=True).press("Enter")
    expect(page.locator(".msg.mine")).to_contain_text("quiet night", timeout=SEEN_TIMEOUT_MS)
    expect(page.locator(".msg.mine time")).to_have_text(re.compile(r"^\d\d:\d\d$"))

    # At 375 px the messages get most of the screen.
    messages = page.locator("#messages").bounding_box()
    assert messages is not None
    assert messages["height"] >= 0.55 * PHONE["height"], messages
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"the page scrolls sideways by {overflow} px"
    assert_no_serious_axe_violations(page, context="hotline chat at 375 px")
    page.screenshot(path=str(OUTPUT / "hotline-member-375.png"))

    # Urgent: nothing is preselected; sending without a category is a field error, not a guess.
    page.get_by_label("Urgent report").check()
    category = page.get_by_label("What is it about?")
    expect(category).to_be_focused()
    expect(category).to_have_value("")
    page.get_by_label("Links, channels or @usernames").fill("https://t.me/bad_channel/4242")
    page.get_by_label("Message", exact=True).fill("Live abuse stream, 2,000 viewers.")
    page.get_by_role("button", name="Send urgent report").click()
    expect(page.locator("#report-category-error")).to_contain_text("Choose what the report")
    expect(category).to_have_attribute("aria-invalid", "true")
    expect(category).to_be_focused()
    assert_no_serious_axe_violations(page, context="urgent report with a field error")
    page.screenshot(path=str(OUTPUT / "hotline-urgent-error-375.png"))
    assert not LegalRequest.objects.exists()
    assert Message.objects.filter(urgent=True).count() == 0

    category.select_option("CHILD_SAFETY")
    expect(page.locator("#report-category-error")).to_be_empty()
    page.get_by_role("button", name="Send urgent report").click()
    card = page.locator("a.report-card")
    expect(card).to_contain_text("Report routed", timeout=SEEN_TIMEOUT_MS)
    legal_request = LegalRequest.objects.get(kind="MODERATION_NOTICE")
    assert legal_request.category == "CHILD_SAFETY"
    gid = encode_global_id("LegalRequest", str(legal_request.pk))
    href = card.first.get_attribute("href")
    assert href is not None
    assert href.startswith("/console/requests/")
    assert href.endswith("/")
    from urllib.parse import unquote

    assert unquote(href) == f"/console/requests/{gid}/"
    # The deadline: a date, a 24-hour clock, UTC, then Berlin time with its zone.
    text = card.first.inner_text()
    deadline = r"\w{3},? (\d{1,2}\.? \w{3}|\w{3} \d{1,2}),? \d\d:\d\d"
    assert re.search(rf"due {deadline} UTC \({deadline} (CET|CEST|GMT\+\d)\)", text), text
    assert legal_request.due_at is not None
    assert legal_request.due_at.strftime("%H:%M UTC") in text
    assert " AM" not in text
    assert " PM" not in text
    expect(category).to_have_value("")  # the next report starts undecided again
    # The report's link stays pinned above the messages, on one line: they still get most of
    # the screen.
    pinned = page.locator("#reports .report-card")
    expect(pinned).to_have_count(1)
    # The list is drawn again when the report's status changes: measure the card once it is
    # drawn (right after a redraw its box can be None for a moment).
    expect(pinned).to_be_visible()
    pinned_box = wait_for(pinned.bounding_box, timeout=SEEN_TIMEOUT_MS / 1000, what="the card")
    assert pinned_box["height"] <= 32, pinned_box
    messages = page.locator("#messages").bounding_box()
    assert messages is not None
    assert messages["height"] >= 0.55 * PHONE["height"], messages
    page.screenshot(path=str(OUTPUT / "hotline-urgent-routed-375.png"))

    # The focus ring: 3 px, the accent colour (6.6:1 on white), on keyboard focus.
    page.get_by_label("Message", exact=True).focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    ring = page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return [s.outlineStyle, s.outlineWidth, s.outlineColor]; }"""
    )
    assert ring == ["solid", "3px", "rgb(31, 79, 209)"], ring
    assert errors == []


@pytest.fixture
def staff_session_with_waiting_messages(policy: None, ngo: Member) -> str:
    """Two NGOs wrote (1 and 3 messages) before a staff member opens the hotline. Sent here,
    before Playwright's event loop runs in this thread (the broadcast is synchronous code)."""
    other = make_member(NgoFactory(name="Second Flagger"))
    for member, count in ((ngo, 1), (other, 3)):
        conversation = services.conversation_main_ensure(organization=member.organization)
        for n in range(count):
            services.message_send(
                actor=member.actor,
                conversation_id=conversation.pk,
                body=f"note {n} from {member.organization.name}",
                client_message_id=f"{member.organization.pk}-{n}",
            )
    user = StaffUserFactory(first_name="Dana")
    StaffProfile.objects.create(user=user, display_name="Dana")
    return sign_in_staff(Client(), user).cookies["sessionid"].value


def test_staff_see_unread_counts_per_conversation(
    staff_session_with_waiting_messages: str, server: str, browser: Any
) -> None:
    from playwright.sync_api import expect

    session = staff_session_with_waiting_messages
    context = browser.new_context(viewport=DESKTOP, locale="de-DE", timezone_id="Europe/Berlin")
    context.add_cookies([{"name": "sessionid", "value": session, "url": server, "httpOnly": True}])
    page = context.new_page()
    page.goto(f"{server}/hotline/")
    expect(page.locator("#connection")).to_have_text(
        re.compile("Connected|Verbunden"), timeout=SEEN_TIMEOUT_MS
    )
    buttons = page.locator("#conversations button")
    expect(buttons).to_have_count(2, timeout=SEEN_TIMEOUT_MS)
    # The open conversation is read; the other shows how many messages wait.
    current = page.locator('#conversations button[aria-current="true"]')
    waiting = page.locator('#conversations button[aria-current="false"]')
    expect(current.locator(".badge-unread")).to_have_count(0)
    waiting_name = waiting.locator(".conv-name").inner_text()
    expected = "3" if waiting_name == "Second Flagger" else "1"
    expect(waiting.locator(".badge-unread")).to_contain_text(expected)
    assert_no_serious_axe_violations(page, context="staff hotline at 1,366 px")
    page.screenshot(path=str(OUTPUT / "hotline-staff-unread-1366.png"))
    waiting.click()
    expect(page.locator("#messages")).to_contain_text(f"from {waiting_name}")
    expect(page.locator("#conversations .badge-unread")).to_have_count(0)
