"""The routing guide page in a real browser (issue 10, item 2): the instrument picker, the
answer with the instrument, its legal clock, document and retention, and the table of every
instrument; at 375 px and 1,366 px, no horizontal page scroll, screenshots saved."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from switchboard.policy import switchboard_seed_defaults
from tests.browser import CHROMIUM_ARGS, ensure_chromium
from tests.realthings import ROOT, running_portal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OUTPUT = ROOT / "test-output"


@pytest.fixture
def _in_memory_channel_layer() -> None:
    """Overrides the switchboard tests' in-memory layer: the server uses real Redis."""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    switchboard_seed_defaults()
    with running_portal(tmp_path / "uvicorn.log") as portal:
        try:
            yield portal.url
        finally:
            print(portal.log_text()[-3000:])


@pytest.mark.parametrize(("width", "height"), [(375, 812), (1366, 900)])
def test_the_guide_says_the_instrument_its_clock_and_retention(
    server: str, width: int, height: int
) -> None:
    from playwright.sync_api import expect, sync_playwright

    chromium = ensure_chromium()
    OUTPUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport={"width": width, "height": height}).new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{server}/guide/")
            page.get_by_label("What do you need?").select_option("PRESERVATION")
            page.get_by_label("What is it about?").select_option("FRAUD")
            page.get_by_label("Your country").select_option("US")
            page.get_by_label("Legal instrument (optional)").select_option("")
            page.get_by_role("button", name="Show me").click()
            expect(page.get_by_test_id("instrument")).to_contain_text("US_2703F_PRESERVATION")
            expect(page.get_by_test_id("instrument")).to_contain_text("inferred")
            expect(page.get_by_test_id("retention")).to_contain_text("90 days")
            expect(page.get_by_test_id("document")).to_contain_text("not required")
            table = page.get_by_role("table")
            expect(table).to_contain_text("TCO_REMOVAL_ORDER")
            expect(table).to_contain_text("Reg. (EU) 2021/784, Art. 3(3)")
            # The page itself never scrolls sideways (the wide table scrolls in its box).
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, overflow
            page.screenshot(path=str(OUTPUT / f"guide-instruments-{width}.png"), full_page=True)
            assert not [e for e in errors if "Content Security Policy" in e], errors
        finally:
            browser.close()
