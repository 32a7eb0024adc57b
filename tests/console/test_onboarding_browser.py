"""Issue 13's "done when", in one real headless Chromium against a real uvicorn, with nobody at
the platform running a command: a new authority goes from the front door to a request for
access; the callback officer it e-mails opens the link, signs in to admin (password and TOTP)
and verifies it by recording the call to the number they looked up; the applicant opens the
e-mailed one-time link, chooses a password, enrols an authenticator app, signs in again with
it, creates an API token, submits a data disclosure through the form (desk and deadline at
once), attaches the order, answers staff's question, downloads the signed package and
verifies it with the snippet the request page shows, run as written; the token fetches the
same package through the API and docs/integration.md's `verify_package` accepts it. What each
flow costs (fields filled, choices, ticks and clicks) goes to test-output/onboarding-steps.json."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from console.models import AccessRequest
from core.graphql.ids import encode_global_id
from core.signin import totp_ensure
from liaison import disclosure, review
from liaison.models import AuditEntry, LegalRequest, Membership
from tests.browser import CHROMIUM_ARGS, assert_no_serious_axe_violations, ensure_chromium
from tests.console.test_console_browser import (
    NARROW,
    OUTPUT,
    PDF,
    SEEN_MS,
    WIDE,
    off_loop,
    server,  # noqa: F401 - the fixture
    shoot,
    totp_code,
)
from tests.factories import StaffUserFactory
from tests.liaison.conftest import analyse
from tests.liaison.test_integration_docs import load as load_docs_snippet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
STAFF_PASSWORD = "staff pass phrase for the callback desk 9"
APPLICANT_PASSWORD = "Hessen cybercrime desk passphrase 4"
PACKAGE = """query($id: ID!) { disclosurePackage(requestId: $id) {
  requestId signingKeyId signature json records { target } } }"""


class Steps:
    """Counts what a person does, per flow: a field typed into, a choice made, a box ticked, a
    click (a link or a button)."""

    def __init__(self) -> None:
        self.flows: dict[str, int] = {}
        self.flow = ""

    def start(self, flow: str) -> None:
        self.flow = flow
        self.flows[flow] = 0

    def _count(self) -> None:
        self.flows[self.flow] += 1

    def fill(self, locator: Any, value: str) -> None:
        self._count()
        locator.fill(value)

    def select(self, locator: Any, value: str) -> None:
        self._count()
        locator.select_option(value)

    def check(self, locator: Any) -> None:
        self._count()
        locator.check()

    def click(self, locator: Any) -> None:
        self._count()
        locator.click()


def contrast(first: str, second: str) -> float:
    """WCAG's contrast ratio of two CSS rgb() colours."""

    def luminance(colour: str) -> float:
        channels = [int(v) / 255 for v in re.findall(r"\d+", colour)[:3]]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def graphql(url: str, token: str, query: str, variables: dict[str, Any]) -> Any:
    request = urllib.request.Request(  # noqa: S310 - the test server
        f"{url}/graphql/",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        return json.load(answer)


def test_a_new_authority_from_the_front_door_to_a_verified_package(
    policy: None,
    accounts: Any,
    staff_one: Any,
    staff_two: Any,
    server: Any,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    chromium = ensure_chromium()
    OUTPUT.mkdir(exist_ok=True)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    officer = StaffUserFactory(groups=["callback_officer"], email="callback@platform.example")
    officer.set_password(STAFF_PASSWORD)
    officer.save()
    staff_secret = totp_ensure(user=officer)  # the staff member's authenticator app
    url = server.url
    steps = Steps()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            errors: list[str] = []
            applicant = browser.new_context(viewport=WIDE, accept_downloads=True).new_page()
            applicant.on("pageerror", lambda error: errors.append(str(error)))

            # 1. The front door to a request for access.
            steps.start("request access (applicant, from /)")
            applicant.goto(f"{url}/")
            steps.click(applicant.get_by_role("link", name="Request access").first)
            label = applicant.get_by_label
            steps.select(label("We are"), "AUTHORITY")
            steps.fill(label("Organization's official name"), "Landeskriminalamt Hessen")
            steps.select(label("Country"), "DE")
            steps.fill(label("Official internet domain"), "polizei.hessen.de")
            steps.fill(label("Registry or agency identifier"), "LKA-HE-0611")
            steps.fill(label("Switchboard telephone number"), "0611 83 0")
            steps.fill(
                label("Where that number is published"), "https://www.polizei.hessen.de/kontakt"
            )
            steps.fill(label("Your name"), "Jana Weber")
            steps.fill(label("Your function"), "KHK, Cybercrime")
            steps.fill(label("Your official e-mail address"), "jana.weber@polizei.hessen.de")
            steps.click(applicant.get_by_role("button", name="Request access"))
            expect(applicant.get_by_role("heading", level=1)).to_contain_text(
                "your request for access is received"
            )
            shoot(applicant, "onboarding-access-sent")
            access_request = AccessRequest.objects.select_related("organization").get()
            assert access_request.organization.verification == "PENDING"
            assert Membership.objects.count() == 0

            # 2. The callback officer is told by e-mail and opens its link: sign-in with TOTP,
            # then the call, recorded in admin.
            steps.start("staff verification (admin, sign-in with TOTP included)")
            notice = re.search(
                r"http://\S+/admin/console/accessrequest/\d+/change/", server.log_text()
            )
            assert notice, server.log_text()[-2000:]
            staff = browser.new_context(viewport=WIDE).new_page()
            staff.goto(notice.group(0))  # opened from the e-mail: not a step on the portal
            steps.fill(staff.locator("input[name=login]"), officer.email)
            steps.fill(staff.locator("input[name=password]"), STAFF_PASSWORD)
            steps.click(staff.get_by_role("button", name="Sign In"))
            steps.fill(staff.locator("input[name=code]"), totp_code(staff_secret))
            steps.click(staff.get_by_role("button", name="Sign In"))
            expect(staff.locator("body")).to_contain_text(
                "matches the official domain polizei.hessen.de"
            )
            steps.click(staff.get_by_role("link", name="Record verification call"))
            expect(staff.locator("body")).to_contain_text("Do not simply dial")
            staff.screenshot(path=str(OUTPUT / "onboarding-admin-record-call-1366.png"))
            steps.fill(staff.get_by_label("Number you dialled"), "+49 611 83-0")
            steps.fill(
                staff.get_by_label("Where you found the number"),
                "Behördenverzeichnis Hessen, looked up by me",
            )
            steps.fill(
                staff.get_by_label("Person reached (name, function)"),
                "Switchboard, then Lt. Schulz (head of cybercrime)",
            )
            steps.check(staff.get_by_label("Confirmed: the organization vouches"))
            steps.click(staff.get_by_role("button", name="Record the call"))
            expect(staff.locator(".messagelist")).to_contain_text("verified; the applicant")
            access_request.refresh_from_db()
            organization = access_request.organization
            assert access_request.state == "VERIFIED"
            assert organization.verification == "VERIFIED"
            assert organization.callback_phone == "+49611830"
            assert AuditEntry.objects.filter(action="organization.verification_call").exists()

            # 3. The e-mailed one-time link: a password, then an authenticator app.
            steps.start("invitation: join and enrol TOTP (applicant)")
            link = re.search(r"http://\S+/console/invitations/[\w-]+/", server.log_text())
            assert link, server.log_text()[-2000:]
            applicant.goto(link.group(0))  # opened from the e-mail: not a step on the portal
            steps.fill(label("Choose a password"), APPLICANT_PASSWORD)
            steps.fill(label("The password again"), APPLICANT_PASSWORD)
            steps.click(applicant.get_by_role("button", name="Join"))
            expect(applicant).to_have_url(f"{url}/accounts/2fa/")
            steps.click(applicant.get_by_role("link", name="Activate"))
            applicant.locator("#authenticator_secret").wait_for(state="attached")
            secret = applicant.locator("#authenticator_secret").input_value()
            steps.fill(applicant.locator("input[name=code]"), totp_code(secret))
            steps.click(applicant.get_by_role("button", name="Activate"))
            steps.click(applicant.get_by_role("link", name="Console"))
            expect(applicant.get_by_role("heading", level=1)).to_contain_text(
                "Requests of Landeskriminalamt Hessen", timeout=SEEN_MS
            )
            membership = Membership.objects.get(user__email="jana.weber@polizei.hessen.de")
            assert membership.organization_id == organization.pk
            assert membership.role == "ADMIN"
            # Signed out, and in again: password, then the code from the app.
            applicant.get_by_role("button", name="Sign out").click()
            steps.start("sign-in with TOTP (member)")
            applicant.goto(f"{url}/console/")
            steps.fill(applicant.locator("input[name=login]"), "jana.weber@polizei.hessen.de")
            steps.fill(applicant.locator("input[name=password]"), APPLICANT_PASSWORD)
            steps.click(applicant.get_by_role("button", name="Sign In"))
            steps.fill(applicant.locator("input[name=code]"), totp_code(secret))
            steps.click(applicant.get_by_role("button", name="Sign In"))
            expect(applicant.get_by_role("heading", level=1)).to_contain_text(
                "Requests of Landeskriminalamt Hessen", timeout=SEEN_MS
            )
            shoot(applicant, "onboarding-first-sign-in")
            # The keyboard's focus ring has at least 3:1 against the bar it sits on too.
            applicant.keyboard.press("Tab")  # the skip link
            applicant.keyboard.press("Tab")  # the first link of the dark top bar
            ring, bar = applicant.evaluate(
                """() => [getComputedStyle(document.activeElement).outlineColor,
                          getComputedStyle(document.activeElement.closest('.top'))
                              .backgroundColor]"""
            )
            assert contrast(ring, bar) >= 3, (ring, bar)

            # 4. An API token for the case system.
            steps.start("create an API token")
            steps.click(applicant.get_by_role("link", name="API tokens"))
            steps.fill(label("Name"), "Case management system")
            steps.click(applicant.get_by_role("button", name="Create token"))
            token = label("Token", exact=True).input_value()
            assert token.startswith("lp_")

            # 5. A data disclosure through the form: desk and deadline at once.
            steps.start("submit a data disclosure (form)")
            steps.click(applicant.get_by_role("link", name="New request", exact=True).first)
            steps.select(label("Kind of request"), "DATA_DISCLOSURE")
            steps.select(label("Category of harm"), "FRAUD")
            steps.fill(label("Your reference (file number)"), "LKA-HE 7/26")
            steps.fill(label("Legal basis"), "Court order")
            steps.fill(label("Summary of the facts"), "Investment fraud ring on a channel.")
            steps.select(label("Target 1: kind"), "USERNAME")
            steps.fill(label("Target 1: value"), "@fraud_boss")
            steps.check(label("IP addresses"))
            steps.check(label("Phone number"))
            steps.click(applicant.get_by_role("button", name="Submit request"))
            expect(applicant.locator("#desk")).not_to_have_text("Being routed…", timeout=SEEN_MS)
            legal_request = LegalRequest.objects.get(reference="LKA-HE 7/26")
            assert legal_request.organization_id == organization.pk
            assert legal_request.jurisdiction == "DE"  # the organization's country, preset
            expect(applicant.locator("#desk")).to_have_text(legal_request.handling_desk)
            expect(applicant.locator("#deadline")).to_contain_text(
                f"{legal_request.due_at:%Y-%m-%d %H:%M} UTC"
            )
            shoot(applicant, "onboarding-submitted")
            steps.start("attach the signed order")
            applicant.get_by_label("Signed legal order (PDF, at most 20 MB)").set_input_files(
                files=[{"name": "epoc.pdf", "mimeType": "application/pdf", "buffer": PDF}]
            )
            steps.flows[steps.flow] += 1  # choosing the file
            steps.click(applicant.get_by_role("button", name="Attach document"))
            expect(applicant.locator(".messages")).to_contain_text("Document attached")

            # 6. Staff ask (in admin's case page: tests/casework); the officer answers.
            off_loop(
                review.legal_request_start_review, actor=staff_one, legal_request=legal_request
            )
            off_loop(
                review.legal_request_ask_clarification,
                actor=staff_one,
                legal_request=legal_request,
                question="Please name the court and the date of the order.",
            )
            steps.start("answer a clarification (from the request list)")
            applicant.goto(f"{url}/console/")
            steps.click(applicant.get_by_role("link", name="LKA-HE 7/26"))
            expect(applicant.locator("#question-h")).to_be_visible()
            steps.fill(label("Your answer"), "AG Wiesbaden, order of 2026-11-28.")
            steps.click(applicant.get_by_role("button", name="Send answer"))
            expect(applicant.locator("#status")).to_have_text("Under review", timeout=SEEN_MS)

            # 7. Analysed, approved twice, fulfilled (admin); the package, verified.
            legal_request.refresh_from_db()
            off_loop(analyse, staff=staff_one, legal_request=legal_request)
            off_loop(review.legal_request_approve, actor=staff_one, legal_request=legal_request)
            off_loop(review.legal_request_approve, actor=staff_two, legal_request=legal_request)
            off_loop(disclosure.legal_request_fulfil, actor=staff_two, legal_request=legal_request)
            steps.start("download the package and its signature")
            applicant.reload()
            expect(applicant.locator("#package-h")).to_be_visible()
            folder = tmp_path / "downloads"
            folder.mkdir()
            for name in ("Records (JSON, exactly the signed bytes)", "Signature (Ed25519, base64)"):
                with applicant.expect_download() as download:
                    steps.click(applicant.get_by_role("link", name=name))
                download.value.save_as(folder / download.value.suggested_filename)
            assert sorted(p.name for p in folder.iterdir()) == [
                "disclosure-LKA-HE-7-26.json",
                "disclosure-LKA-HE-7-26.json.sig",
            ]
            shoot(applicant, "onboarding-package")
            # The request page's snippet, copied and run where the files were saved.
            snippet = applicant.locator("pre code").inner_text()
            (folder / "verify.py").write_text(snippet, encoding="utf-8")
            run = subprocess.run(
                [sys.executable, "verify.py"],
                cwd=folder,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            assert run.returncode == 0, run.stderr
            assert run.stdout.startswith("signature valid; key "), run.stdout
            # The same snippet refuses an altered file.
            records = folder / "disclosure-LKA-HE-7-26.json"
            records.write_bytes(records.read_bytes().replace(b"fraud_boss", b"fraud_bosx"))
            altered = subprocess.run(
                [sys.executable, "verify.py"],
                cwd=folder,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            assert altered.returncode != 0
            assert "InvalidSignature" in altered.stderr
            # The integrator's path: the console's token, docs/integration.md's verify_package.
            request_id = encode_global_id("LegalRequest", legal_request.pk)
            package = graphql(url, token, PACKAGE, {"id": request_id})["data"]["disclosurePackage"]
            with urllib.request.urlopen(f"{url}/.well-known/liaison-signing-key") as answer:  # noqa: S310
                published = json.load(answer)
            verified = load_docs_snippet("package")["verify_package"](package, published)
            assert [record["target"] for record in verified] == ["fraud_boss"]
            assert verified[0]["phone_number"] == "+4915123456789"

            # The applicant's pages at a phone's width too.
            applicant.set_viewport_size(NARROW)
            assert_no_serious_axe_violations(applicant, context="onboarding package at 375 px")
            assert errors == []
        finally:
            browser.close()
    (OUTPUT / "onboarding-steps.json").write_text(
        json.dumps(steps.flows, indent=2) + "\n", encoding="utf-8"
    )
    print(json.dumps(steps.flows, indent=2))
