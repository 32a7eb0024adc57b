"""The console in a real headless Chromium against a real uvicorn: an officer signs in with
password and TOTP, creates a token, submits through the form and sees desk and deadline at
once, answers a clarification, downloads and verifies the package; the organization's admin
invites a colleague, who joins and enrols a factor; a member of another organization sees none
of it. Screenshots at 1,366 px and 375 px go to test-output/."""

from __future__ import annotations

import base64
import json
import re
import time
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.utils import timezone

from core.graphql.ids import encode_global_id
from core.signin import totp_ensure
from liaison import cannot_comply, review, tokens
from liaison.models import LegalRequest, Membership
from tests.browser import CHROMIUM_ARGS, assert_no_serious_axe_violations, ensure_chromium
from tests.conftest import Member
from tests.console.conftest import PASSWORD, admin_member, console_client
from tests.console.test_legal_clocks import preserved
from tests.factories import OrganizationFactory
from tests.liaison.conftest import analyse, under_review
from tests.realthings import ROOT, running_portal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OUTPUT = ROOT / "test-output"
SEEN_MS = 10_000
WIDE = {"width": 1366, "height": 900}
NARROW = {"width": 375, "height": 812}
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def totp_code(secret: str) -> str:
    """The authenticator app's current code (allauth's own HOTP), not one used a moment ago."""
    period = settings.MFA_TOTP_PERIOD if hasattr(settings, "MFA_TOTP_PERIOD") else 30
    if time.time() % period > period - 2:  # about to roll over: wait for the next one
        time.sleep(3)
    return format_hotp_value(hotp_value(secret, int(time.time() // period)))


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Any]:
    """uvicorn on the test database; routing in-process after each commit; the test's signing
    key (the test process fulfils, the server verifies); e-mails to its log."""
    env = {
        "SIGNING_KEY": settings.SIGNING_KEY,
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    with running_portal(tmp_path / "uvicorn.log", env=env) as portal:
        try:
            yield portal
        finally:
            print(portal.log_text()[-3000:])


def off_loop(service: Any, **kwargs: Any) -> Any:
    """Run a staff service in a plain thread: Playwright's sync API keeps an event loop running
    in this one, and the services' after-commit broadcast is for synchronous code."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def call() -> Any:
        try:
            return service(**kwargs)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def shoot(page: Any, name: str) -> None:
    """A screenshot at 1,366 px and at 375 px (full page), axe-core at both widths (no serious
    or critical violation), then back to wide."""
    for label, size in (("1366", WIDE), ("375", NARROW)):
        page.set_viewport_size(size)
        page.screenshot(path=str(OUTPUT / f"console-{name}-{label}.png"), full_page=True)
        assert_no_serious_axe_violations(page, context=f"console {name} at {label} px")
        # Nothing sticks out sideways at either width.
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"] + 1, name
    page.set_viewport_size(WIDE)


def test_officer_admin_and_outsider_in_the_console(
    policy: None,
    accounts: Any,
    staff_one: Any,
    staff_two: Any,
    server: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    chromium = ensure_chromium()
    OUTPUT.mkdir(exist_ok=True)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    officer = admin_member(OrganizationFactory(name="Landeskriminalamt Berlin"))
    user = officer.membership.user
    user.set_password(PASSWORD)
    user.save()
    secret = totp_ensure(user=user)
    outsider: Member = admin_member(OrganizationFactory(name="Police Nationale", country="FR"))
    outsider_cookie = console_client(outsider).cookies["sessionid"].value
    url = server.url
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=WIDE, accept_downloads=True)
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            # A CSP refusal (an inline script or style, an outside asset) shows in the console.
            page.on(
                "console",
                lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
            )

            # 0. The public request for access (no sign-in).
            page.goto(f"{url}/console/request-access/")
            expect(page.get_by_label("Switchboard telephone number")).to_be_visible()
            shoot(page, "request-access")

            # 1. Sign in: password, then the authenticator code (3 steps).
            page.goto(f"{url}/console/")
            page.locator("input[name=login]").fill(user.email)
            page.locator("input[name=password]").fill(PASSWORD)
            page.get_by_role("button", name="Sign In").click()
            page.locator("input[name=code]").fill(totp_code(secret))
            page.get_by_role("button", name="Sign In").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text(
                "Requests of Landeskriminalamt Berlin", timeout=SEEN_MS
            )
            shoot(page, "requests-empty")

            # 2. A token: name and expiry, shown once (3 steps).
            page.get_by_role("link", name="API tokens").click()
            page.get_by_label("Name").fill("Case management system")
            page.get_by_label("Expires after (days)").fill("30")
            page.get_by_role("button", name="Create token").click()
            token_secret = page.get_by_label("Token", exact=True).input_value()
            actor = tokens.api_token_authenticate(token_secret)
            assert actor is not None
            assert actor.organization_id == officer.organization.pk
            shoot(page, "token-created")

            # 3. Submit through the form: desk and deadline on the next page at once.
            page.get_by_role("link", name="New request", exact=True).first.click()
            page.get_by_label("Kind of request").select_option("DATA_DISCLOSURE")
            page.get_by_label("Category of harm").select_option("FRAUD")
            page.get_by_label("Your reference (file number)").fill("LKA 411-26")
            page.get_by_label("Jurisdiction").select_option("DE")
            page.get_by_label("Legal basis").fill("Court order")
            page.get_by_label("Summary of the facts").fill("Investment fraud ring on a channel.")
            page.get_by_label("Target 1: kind").select_option("USERNAME")
            page.get_by_label("Target 1: value").fill("@fraud_boss")
            page.get_by_label("IP addresses").check()
            page.get_by_label("Phone number").check()
            # First a mistake: a bad phone target gets the API's field error on its row.
            page.get_by_label("Target 2: kind").select_option("PHONE_NUMBER")
            page.get_by_label("Target 2: value").fill("12")
            page.get_by_role("button", name="Submit request").click()
            expect(page.locator("#id_target_value_1_error")).to_contain_text("phone number")
            shoot(page, "submit-error")
            page.get_by_label("Target 2: kind").select_option("")
            page.get_by_label("Target 2: value").fill("")
            page.get_by_role("button", name="Submit request").click()
            expect(page.locator("#desk")).not_to_have_text("Being routed…", timeout=SEEN_MS)
            legal_request = LegalRequest.objects.get(reference="LKA 411-26")
            assert legal_request.handling_desk
            assert legal_request.due_at
            expect(page.locator("#desk")).to_have_text(legal_request.handling_desk)
            expect(page.locator("#deadline")).to_contain_text(
                f"{legal_request.due_at:%Y-%m-%d %H:%M} UTC"
            )
            # The instrument was inferred (EU EPOC from Germany), and shown so.
            expect(page.locator("#instrument")).to_contain_text("inferred from kind and country")
            shoot(page, "request-routed")
            # The EPOC needs its signed certificate: attached on the request page (2 steps).
            page.get_by_label("Signed legal order (PDF, at most 20 MB)").set_input_files(
                files=[{"name": "epoc.pdf", "mimeType": "application/pdf", "buffer": PDF}]
            )
            page.get_by_role("button", name="Attach document").click()
            expect(page.locator(".messages")).to_contain_text("Document attached")
            # The token made above reads the same request through the API: same desk, same clock.
            query = json.dumps(
                {
                    "query": "query($id: ID!) { legalRequest(id: $id) { reference dueAt "
                    "handlingTeam { name } } }",
                    "variables": {"id": encode_global_id("LegalRequest", legal_request.pk)},
                }
            ).encode()
            api_request = urllib.request.Request(  # noqa: S310 - the test server
                f"{url}/graphql/",
                data=query,
                headers={"Authorization": f"Bearer {token_secret}",
                         "Content-Type": "application/json"},
            )  # fmt: skip
            with urllib.request.urlopen(api_request) as answer:  # noqa: S310
                api_view = json.load(answer)["data"]["legalRequest"]
            assert api_view["handlingTeam"]["name"] == legal_request.handling_desk
            assert api_view["reference"] == "LKA 411-26"

            # 4. Staff ask; the officer answers on the request page (2 steps).
            off_loop(
                review.legal_request_start_review, actor=staff_one, legal_request=legal_request
            )
            off_loop(
                review.legal_request_ask_clarification,
                actor=staff_one,
                legal_request=legal_request,
                question="Please name the court and the date of the order.",
            )
            page.reload()
            expect(page.locator("#question-h")).to_be_visible()
            shoot(page, "clarification")
            page.get_by_label("Your answer").fill("AG Berlin-Tiergarten, order of 2026-11-28.")
            page.get_by_role("button", name="Send answer").click()
            expect(page.locator("#status")).to_have_text("Under review", timeout=SEEN_MS)

            # 5. Approved twice, fulfilled; the officer downloads and verifies the package.
            legal_request.refresh_from_db()
            off_loop(analyse, staff=staff_one, legal_request=legal_request)
            off_loop(review.legal_request_approve, actor=staff_one, legal_request=legal_request)
            off_loop(review.legal_request_approve, actor=staff_two, legal_request=legal_request)
            from liaison import disclosure

            off_loop(disclosure.legal_request_fulfil, actor=staff_two, legal_request=legal_request)
            page.reload()
            expect(page.locator("#package-h")).to_be_visible()
            with page.expect_download() as records_download:
                page.get_by_role("link", name="Records (JSON, exactly the signed bytes)").click()
            with page.expect_download() as signature_download:
                page.get_by_role("link", name="Signature (Ed25519, base64)").click()
            records = Path(records_download.value.path()).read_bytes()
            signature = Path(signature_download.value.path()).read_bytes()
            assert records_download.value.suggested_filename == "disclosure-LKA-411-26.json"
            with urllib.request.urlopen(f"{url}/.well-known/liaison-signing-key") as answer:  # noqa: S310
                key = json.load(answer)
            public_key = Ed25519PublicKey.from_public_bytes(base64.b64decode(key["public_key"]))
            public_key.verify(base64.b64decode(signature), records)  # raises if not valid
            assert json.loads(records)[0]["target"] == "fraud_boss"
            expect(page.locator("pre code")).to_contain_text("public_key.verify(")
            shoot(page, "package")

            # 5b. Another request the platform cannot execute: the list shows it paused; the
            # officer corrects it (an empty correction first: the service's field error).
            refused = off_loop(
                under_review, member=officer, staff=staff_one, reference="LKA 412-26"
            )
            off_loop(
                cannot_comply.legal_request_cannot_comply,
                actor=staff_one,
                legal_request=refused,
                ground="INSUFFICIENT_INFORMATION",
                explanation="The order names no court.",
            )
            page.goto(f"{url}/console/")
            expect(page.locator("table")).to_contain_text("Paused")
            shoot(page, "requests-paused")
            page.goto(f"{url}/console/requests/{refused.pk}/")
            expect(page.locator("#cannot-comply")).to_contain_text("The order names no court.")
            expect(page.locator("#paused")).to_be_visible()
            shoot(page, "cannot-comply")
            page.get_by_role("button", name="Send correction").click()
            expect(page.locator("#id_correction_error")).to_have_text("Say what you corrected.")
            shoot(page, "correction-error")
            page.get_by_label("What you corrected").fill("The order is of AG Berlin, 12 Gs 34/26.")
            page.get_by_role("button", name="Send correction").click()
            expect(page.locator("#status")).to_have_text("Under review", timeout=SEEN_MS)

            # 5c. A non-disclosure order: a date in the past is the service's error first.
            page.get_by_label("Legal basis of the order").fill("§ 95a StPO")
            page.get_by_label("The user may not be told before (UTC)").fill("2020-01-01T00:00")
            page.get_by_role("button", name="Attach the order").click()
            expect(page.locator("#id_until_error")).to_be_visible()
            shoot(page, "nondisclosure-error")
            until = (timezone.now() + timedelta(days=90)).strftime("%Y-%m-%dT%H:%M")
            page.get_by_label("The user may not be told before (UTC)").fill(until)
            page.get_by_role("button", name="Attach the order").click()
            expect(page.locator("#non-disclosure")).to_contain_text(
                f"{until.replace('T', ' ')} UTC"
            )

            # 5d. Withdrawal asks first.
            page.get_by_role("link", name="Withdraw this request…").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text("Withdraw request")
            shoot(page, "withdraw")
            page.get_by_role("link", name="No, keep it").click()

            # 5e. A preservation, extended once with a confirmation.
            kept = off_loop(preserved, member=officer, staff=staff_one, reference="LKA-PR 1")
            page.goto(f"{url}/console/requests/{kept.pk}/")
            expect(page.locator("#preservation")).to_contain_text("Data kept until")
            shoot(page, "preservation")
            page.get_by_label("Yes, ask for the one extension").check()
            page.get_by_role("button", name="Extend the preservation").click()
            expect(page.locator(".messages")).to_contain_text("Preservation extended")
            expect(page.locator("#preservation")).to_contain_text("Extended once")

            # 5f. The organization's settings.
            page.get_by_role("link", name="Settings").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text("Settings of")
            shoot(page, "settings")

            # 6. The admin invites a colleague (3 steps), who joins and enrols a factor.
            page.get_by_role("link", name="Members").click()
            page.get_by_label("Colleague's e-mail address").fill("kim.berger@lka.example")
            page.get_by_label("Role", exact=True).select_option("MEMBER")
            page.get_by_role("button", name="Send invitation").click()
            expect(page.locator(".messages")).to_contain_text("Invitation sent")
            shoot(page, "members")
            link = re.search(r"http://\S+/console/invitations/[\w-]+/", server.log_text())
            assert link, server.log_text()[-2000:]
            colleague = browser.new_context(viewport=NARROW).new_page()
            colleague.on("pageerror", lambda error: errors.append(str(error)))
            colleague.goto(link.group(0))
            colleague.screenshot(path=str(OUTPUT / "console-invitation-375.png"), full_page=True)
            assert_no_serious_axe_violations(colleague, context="console invitation at 375 px")
            colleague.get_by_label("Choose a password").fill(PASSWORD)
            colleague.get_by_label("The password again").fill(PASSWORD)
            colleague.get_by_role("button", name="Join").click()
            # Sent to choose a second factor: an authenticator app here (a passkey below).
            expect(colleague).to_have_url(f"{url}/accounts/2fa/")
            colleague.get_by_role("link", name="Activate").click()
            colleague.wait_for_load_state()
            colleague.screenshot(path=str(OUTPUT / "console-enrol-375.png"), full_page=True)
            colleague.locator("#authenticator_secret").wait_for(state="attached")
            enrol_secret = colleague.locator("#authenticator_secret").input_value()
            colleague.locator("input[name=code]").fill(totp_code(enrol_secret))
            colleague.get_by_role("button", name="Activate").click()
            colleague.goto(f"{url}/console/")
            expect(colleague.get_by_role("heading", level=1)).to_contain_text(
                "Requests of Landeskriminalamt Berlin", timeout=SEEN_MS
            )
            expect(colleague.locator("table")).to_contain_text("LKA 411-26")
            membership = Membership.objects.get(user__email="kim.berger@lka.example")
            assert membership.organization_id == officer.organization.pk
            assert membership.role == "MEMBER"

            # 7. A member of another organization sees none of it.
            outsider_context = browser.new_context(viewport=WIDE, locale="fr-FR")
            outsider_context.add_cookies(
                [{"name": "sessionid", "value": outsider_cookie, "url": url, "httpOnly": True}]
            )
            stranger = outsider_context.new_page()
            stranger.goto(f"{url}/console/")
            expect(stranger.get_by_role("heading", level=1)).to_have_text(
                "Demandes de Police Nationale"
            )  # in French, from the browser's language
            expect(stranger.locator("main")).not_to_contain_text("LKA 411-26")
            for path in ("", "package.json", "withdraw/"):
                answer = stranger.goto(f"{url}/console/requests/{legal_request.pk}/{path}")
                assert answer is not None
                assert answer.status == 404, path
            stranger.goto(f"{url}/console/")
            shoot(stranger, "outsider-fr")
            assert errors == []
        finally:
            browser.close()


def test_a_member_signs_in_with_a_passkey(server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """WebAuthn for members, on the staff's stack: a new member adds a passkey (a virtual
    authenticator) instead of an app, and signs in with password and key. The relying party is
    localhost, so the browser talks to http://localhost."""
    from playwright.sync_api import expect, sync_playwright

    chromium = ensure_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    member = admin_member(OrganizationFactory(name="Hotline Kinderschutz"))
    user = member.membership.user
    user.set_password(PASSWORD)
    user.save()
    base = f"http://localhost:{server.port}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=WIDE)
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            cdp = context.new_cdp_session(page)
            cdp.send("WebAuthn.enable", {"enableUI": False})
            cdp.send(
                "WebAuthn.addVirtualAuthenticator",
                {
                    "options": {
                        "protocol": "ctap2",
                        "transport": "usb",
                        "hasResidentKey": True,
                        "hasUserVerification": True,
                        "isUserVerified": True,
                        "automaticPresenceSimulation": True,
                    }
                },
            )

            def sign_in_with_password() -> None:
                page.goto(f"{base}/console/")
                page.locator("input[name=login]").fill(user.email)
                page.locator("input[name=password]").fill(PASSWORD)
                page.get_by_role("button", name="Sign In").click()

            # A password alone: the console sends the member to add a second factor.
            sign_in_with_password()
            expect(page).to_have_url(f"{base}/accounts/2fa/")
            page.goto(f"{base}/accounts/2fa/webauthn/add/")
            if page.get_by_label("Password").count():  # allauth may ask for it again
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Confirm").click()
            # allauth's script wires the Add button when the page has loaded; a click before
            # that did nothing (seen under load: the test then waited 30 s for a navigation).
            page.wait_for_url(f"{base}/accounts/2fa/webauthn/add/")
            page.wait_for_load_state("load")
            page.get_by_label("Name").fill("Office passkey")
            page.get_by_role("button", name="Add").click()
            page.wait_for_url(lambda address: not address.endswith("/webauthn/add/"))
            page.goto(f"{base}/console/")
            expect(page.get_by_role("heading", level=1)).to_contain_text("Hotline Kinderschutz")
            # Signed out and in again: password, then the key.
            page.get_by_role("button", name="Sign out").click()  # one click: a POST
            expect(page).to_have_url(f"{base}/accounts/login/")
            sign_in_with_password()
            expect(page).to_have_url(f"{base}/accounts/2fa/authenticate/")
            page.get_by_role("button", name="Use a security key").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text(
                "Hotline Kinderschutz", timeout=SEEN_MS
            )
            assert errors == []
        finally:
            browser.close()


def test_a_request_page_in_french_fits_a_phone(
    policy: None, staff_one: Any, server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The French labels and dates are longer ("Injonction européenne de production (règl. (UE)
    2023/1543)", "1 décembre 2026 à 14:05 UTC"): the request page and the list still fit 375 px
    (shoot checks that nothing sticks out sideways) and pass axe-core."""
    from playwright.sync_api import expect, sync_playwright

    chromium = ensure_chromium()
    OUTPUT.mkdir(exist_ok=True)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    officer = admin_member(OrganizationFactory(name="Landeskriminalamt Berlin"))
    legal_request = under_review(officer, staff_one)
    cookie = console_client(officer).cookies["sessionid"].value
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=WIDE, locale="fr-FR")
            context.add_cookies(
                [{"name": "sessionid", "value": cookie, "url": server.url, "httpOnly": True}]
            )
            page = context.new_page()
            page.goto(f"{server.url}/console/requests/{legal_request.pk}/")
            expect(page.locator("#instrument")).to_contain_text(
                "Injonction européenne de production"
            )
            expect(page.locator("#status")).to_have_text("En cours d\u2019examen")
            shoot(page, "request-fr")
            page.goto(f"{server.url}/console/")
            expect(page.locator("table.requests")).to_contain_text("Communication de données")
            shoot(page, "requests-fr")
        finally:
            browser.close()
