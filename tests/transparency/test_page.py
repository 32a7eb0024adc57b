"""The public /transparency/ page: figures as tables next to server-side SVG charts, the period
and country filter, links to every download; in a real Chromium at 1,366 and 375 px."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from liaison.models import DisclosurePackage
from tests.browser import CHROMIUM_ARGS, ensure_chromium
from tests.factories import LegalRequestFactory, NgoFactory, OrganizationFactory, UserFactory
from tests.realthings import ROOT, running_portal
from transparency.services import daily_reports_catch_up

OUTPUT = ROOT / "test-output"
STATUSES = ["FULFILLED"] * 5 + ["REJECTED", "WITHDRAWN", "UNDER_REVIEW"]


def populate(now: datetime, *, days: int = 150, seed: int = 7) -> dict[str, Any]:
    """Requests over the last `days` days in three countries, most of them fulfilled; every
    ended day published. Returns the names that must never appear on the page."""
    rng = random.Random(seed)
    orgs = {
        c: OrganizationFactory(country=c, name=f"Secret Police {c}") for c in ("DE", "FR", "PL")
    }
    ngo = NgoFactory(country="DE", name="Secret Hotline e.V.")
    staff = UserFactory()
    for n in range(days * 2):
        submitted = now - timedelta(days=rng.randrange(days), hours=rng.randrange(12))
        kind = rng.choice(
            ["DATA_DISCLOSURE"] * 3
            + ["EMERGENCY_DISCLOSURE", "CONTENT_REMOVAL", "MODERATION_NOTICE"]
        )
        status = rng.choice(STATUSES)
        country = rng.choice(list(orgs))
        acted = submitted + timedelta(hours=rng.choice([1, 3, 20, 100]))
        legal_request = LegalRequestFactory(
            organization=ngo if kind == "MODERATION_NOTICE" else orgs[country],
            jurisdiction=country,
            kind=kind,
            category=rng.choice(["FRAUD", "TERRORISM", "CHILD_SAFETY"]),
            status=status,
            submitted_at=submitted,
            due_at=submitted + timedelta(hours=24),
            reference=f"SECRET-REF-{n}",
            fulfilled_at=acted if status == "FULFILLED" else None,
            decided_at=acted if status == "REJECTED" else None,
            rejection_reason="DISPROPORTIONATE" if status == "REJECTED" else "",
        )
        if status == "FULFILLED" and kind in ("DATA_DISCLOSURE", "EMERGENCY_DISCLOSURE"):
            DisclosurePackage.objects.create(
                legal_request=legal_request, created_by=staff, signature="x", key_id="k",
                expires_at=acted + timedelta(days=30),
                records=[{"target_kind": "USERNAME", "target": f"secret_target_{n}", "phone_number": "+4915100000"}],
            )  # fmt: skip
    daily_reports_catch_up(now=now)
    return {"secrets": ["SECRET-REF", "secret_target", "Secret Police", "Secret Hotline"]}


@pytest.mark.django_db
def test_the_page_shows_the_figures_without_naming_anyone(client: Any) -> None:
    now = datetime.now(UTC)
    secrets = populate(now, days=40)["secrets"]
    LegalRequestFactory(jurisdiction="DE", submitted_at=now, reference="SECRET-REF-today")

    response = client.get("/transparency/")
    assert response.status_code == 200
    html = response.content.decode()
    for secret in secrets:
        assert secret not in html
    assert html.count("<svg") == 6  # three charts, each for wide and narrow screens
    assert 'role="img"' in html
    assert "<table" in html
    assert "<script" not in html  # CSP: no inline script
    assert " style=" not in html  # nor style attribute
    assert 'data-testid="total-received">81<' in html  # 80 over 40 days + today's, live
    assert "/transparency/exports/dsa-orders.csv?periodStart=" in html
    yesterday = (now - timedelta(days=1)).date().isoformat()
    assert f"/transparency/reports/{yesterday}.json" in html
    assert "/transparency/exports/tco-" in html
    assert "/.well-known/liaison-signing-key" in html

    only_pl = client.get(
        "/transparency/",
        {"periodStart": yesterday, "periodEnd": now.date().isoformat(), "country": "PL"},
    )
    assert only_pl.status_code == 200
    table = only_pl.content.decode().split('data-testid="country-table"')[1].split("</table>")[0]
    assert "DE" not in table
    assert "FR" not in table

    bad = client.get(
        "/transparency/", {"periodStart": "2020-01-01", "periodEnd": now.date().isoformat()}
    )
    assert bad.status_code == 400
    assert "at most 366 days" in bad.content.decode()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    with running_portal(tmp_path / "uvicorn.log") as portal:
        try:
            yield portal.url
        finally:
            print(portal.log_text()[-3000:])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_page_in_chromium_at_1366_and_375_px(
    policy: None, server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import sync_playwright

    chromium = ensure_chromium()
    populate(datetime.now(UTC))
    OUTPUT.mkdir(exist_ok=True)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            for width in (1366, 375):
                page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
                problems: list[str] = []
                # CSP violations and script errors are console errors; a refused resource is
                # named by its response (Chromium's own favicon request aside).
                page.on(
                    "console",
                    lambda m, seen=problems: (
                        seen.append(m.text)
                        if m.type == "error" and "Failed to load resource" not in m.text
                        else None
                    ),
                )
                page.on(
                    "response",
                    lambda r, seen=problems: (
                        seen.append(f"{r.status} {r.url}")
                        if r.status >= 400 and not r.url.endswith("/favicon.ico")
                        else None
                    ),
                )
                page.on("pageerror", lambda e, seen=problems: seen.append(str(e)))
                page.goto(f"{server}/transparency/")
                page.get_by_role("heading", name="Transparency report").wait_for()
                page.get_by_label("Country", exact=True).select_option("DE")
                page.get_by_role("button", name="Show").click()
                page.wait_for_url("**country=DE**")
                assert page.locator('[data-testid="country-table"] tbody tr').count() == 1
                page.get_by_text("Show as a table").click()  # the text alternative of the chart
                assert page.locator("svg[role=img]:visible").count() == 3
                # Nothing wider than the screen: wide tables scroll inside their own box.
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                page.screenshot(path=str(OUTPUT / f"transparency-{width}.png"), full_page=True)
                for section in ("monthly", "times"):
                    page.locator(f"section[aria-labelledby={section}]").screenshot(
                        path=str(OUTPUT / f"transparency-{width}-{section}.png")
                    )
                assert problems == []  # no CSP violation, no script error
                with page.expect_download() as download:
                    page.get_by_role("link", name="DSA Art. 15(1)(a) orders").click()
                assert download.value.suggested_filename.startswith("dsa-orders-")
        finally:
            browser.close()
