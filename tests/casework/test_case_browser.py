"""The case tool in a real headless Chromium against a real uvicorn: two staff members take a
data disclosure from the queue to a fulfilled, signed package; an emergency request with its
callback; a terrorism removal order acknowledged and resolved within its hour. Each flow's
clicks are counted (test-output/casework-clicks.json); screenshots at 1,366 x 768, 1,920 x 1,080
and 375 px wide are saved under test-output/."""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from core.durations import humanize_duration
from core.staff import StaffProfile
from liaison import documents, signing
from liaison.audit import canonical_json
from liaison.models import AuditEntry, DisclosurePackage, IntakeAssessment, LegalRequest
from switchboard import selectors as switchboard_selectors
from switchboard.models import TeamMember, Ticket
from switchboard.policy import team_fallback_ensure
from tests.browser import CHROMIUM_ARGS, ensure_chromium
from tests.conftest import Member
from tests.factories import StaffUserFactory
from tests.liaison.conftest import ALL_CHECKS
from tests.realthings import ROOT, running_portal, wait_for
from tests.signin import sign_in_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OUTPUT = ROOT / "test-output"
SEEN_MS = 10_000
SMALL = {"width": 1366, "height": 768}
LARGE = {"width": 1920, "height": 1080}
CHECK_LABELS = {
    "authority_verified": "Issuing authority verified and competent for the jurisdiction",
    "legal_basis_valid": "Legal basis and attached legal document valid",
    "targets_identified": "Targets identified",
    "rules_broken": "Target accounts broke the platform's rules",
    "data_minimised": "Only IP addresses and phone number requested",
    "proportionate": "The request is proportionate",
}


@pytest.fixture(autouse=True)
def _in_memory_channel_layer() -> None:
    """Overrides the in-memory layer: the test's pushes reach the server through real Redis."""


@pytest.fixture
def server(tmp_path: Path, settings: Any, media_root: Path) -> Iterator[str]:
    """uvicorn on the test database, with the test's signing key and media folder."""
    env = {"SIGNING_KEY": settings.SIGNING_KEY, "MEDIA_ROOT": str(media_root)}
    with running_portal(tmp_path / "uvicorn.log", env=env) as portal:
        try:
            yield portal.url
        finally:
            print(portal.log_text()[-3000:])


NOTIFICATION_RECORDER = """
window.__notes = [];
window.Notification = class {
  constructor(title, options) { window.__notes.push(title + ": " + (options || {}).body); }
  static get permission() { return "granted"; }
  static requestPermission() { return Promise.resolve("granted"); }
};
"""
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class Clicks:
    """Counts what a person does: clicks, ticks, and fields typed into."""

    def __init__(self) -> None:
        self.count = 0

    def click(self, locator: Any) -> None:
        self.count += 1
        locator.click()

    def check(self, locator: Any) -> None:
        self.count += 1
        locator.check()

    def fill(self, locator: Any, value: str) -> None:
        self.count += 1
        locator.fill(value)


def record_clicks(flow: str, counts: dict[str, int]) -> None:
    """Add this flow's counts to test-output/casework-clicks.json. The flows may run in two
    test processes at once (pytest-xdist): the file is locked while read and rewritten."""
    OUTPUT.mkdir(exist_ok=True)
    path = OUTPUT / "casework-clicks.json"
    with open(OUTPUT / "casework-clicks.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        known = json.loads(path.read_text()) if path.exists() else {}
        known[flow] = counts
        path.write_text(json.dumps(known, indent=2, sort_keys=True))


def team_for(kind: str, category: str) -> Any:
    decision = switchboard_selectors.routing_decide(kind=kind, category=category, jurisdiction="DE")
    return decision.team or team_fallback_ensure()


def staff_member(team: Any, name: str, position: int) -> tuple[Any, str]:
    user = StaffUserFactory(first_name=name)
    StaffProfile.objects.create(user=user, display_name=name, time_zone="Europe/Berlin")
    TeamMember.objects.create(team=team, user=user, position=position)
    return user, sign_in_staff(Client(), user).cookies["sessionid"].value


SUBMIT = """
mutation Submit($input: SubmitLegalRequestInput!) {
  submitLegalRequest(input: $input) {
    __typename
    ... on OperationInfo { messages { field message } }
  }
}
"""


def submit(server: str, member: Member, **fields: Any) -> LegalRequest:
    """The authority submits through the API of the running server, as it would: the server
    routes the request and pushes the new ticket to the staff pages."""
    spec: dict[str, Any] = {
        "kind": "DATA_DISCLOSURE",
        "category": "FRAUD",
        "reference": "DD-1",
        "legalBasis": "Court order, AG Berlin 12 Gs 345/26",
        "jurisdiction": "DE",
        "summary": "Investment fraud ring.",
        "targets": [{"kind": "USERNAME", "value": "fraud_boss"}],
        "dataCategories": ["IP_ADDRESSES", "PHONE_NUMBER"],
        **fields,
    }
    response = httpx.post(
        f"{server}/graphql/",
        json={"query": SUBMIT, "variables": {"input": spec}},
        headers={"Authorization": f"Bearer {member.token}"},
        timeout=10,
    )
    answer = response.json()["data"]["submitLegalRequest"]
    assert answer["__typename"] == "LegalRequest", answer
    return LegalRequest.objects.get(reference=spec["reference"])


class Staff:
    """One staff member's browser tab on the case tool."""

    def __init__(self, browser: Any, server: str, session: str, viewport: dict[str, int]) -> None:
        context = browser.new_context(viewport=viewport)
        context.add_cookies([{"name": "sessionid", "value": session, "url": server}])
        self.page = context.new_page()
        self.server = server
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.clicks = Clicks()

    def queue(self) -> None:
        from playwright.sync_api import expect

        self.page.goto(f"{self.server}/admin/casework/case/")
        expect(self.page.locator("body")).to_have_attribute("data-live", "on", timeout=SEEN_MS)

    def open_case(self, reference: str) -> None:
        from playwright.sync_api import expect

        self.clicks.click(self.page.get_by_role("link", name=reference, exact=True))
        expect(self.page.locator("h1")).to_have_text(f"Case {reference}")

    def button(self, name: str) -> None:
        self.clicks.click(self.page.get_by_role("button", name=name, exact=True))

    def done(self, title: str) -> None:
        from playwright.sync_api import expect

        expect(self.page.locator(".messagelist")).to_contain_text(f"{title}: done.")

    def confirm(self, button: str, title: str, yes: str) -> None:
        from playwright.sync_api import expect

        self.button(f"{button} …")
        expect(self.page.locator(".case-question")).to_be_visible()
        self.clicks.click(self.page.get_by_role("button", name=yes))
        self.done(title)

    def press(self, locator: Any, key: str = "Enter") -> None:
        """The keyboard instead of the mouse: focus the control, press the key."""
        self.clicks.count += 1
        locator.focus()
        self.page.keyboard.press(key)

    def checklist(self, *, disclosure: bool, keyboard: bool = False) -> None:
        page = self.page
        summary = page.locator("summary", has_text="Save the checklist")
        if keyboard:
            self.press(summary)
        else:
            self.clicks.click(summary)
        for name, label in CHECK_LABELS.items():
            if name == "data_minimised" and not disclosure:
                continue
            self.clicks.check(page.get_by_label(label))
        self.clicks.fill(
            page.get_by_label("Moderation reference of the rule breach"),
            str(ALL_CHECKS["moderation_reference"]),
        )
        self.button("Save the checklist")
        self.done("Save the checklist")

    def shot(self, name: str) -> None:
        OUTPUT.mkdir(exist_ok=True)
        size = self.page.viewport_size
        self.page.screenshot(
            path=str(OUTPUT / f"casework-{name}-{size['width']}x{size['height']}.png"),
            full_page=True,
        )


def run_browser(test: Any) -> None:
    from playwright.sync_api import sync_playwright

    chromium = ensure_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            test(browser)
        finally:
            browser.close()


def wait_resolved(legal_request: LegalRequest) -> Ticket:
    """The status event resolves the ticket in the server's process, after its commit."""
    return wait_for(
        lambda: Ticket.objects.filter(legal_request=legal_request, state="RESOLVED").first(),
        SEEN_MS / 1000,
        "the ticket to be resolved",
    )


def test_two_staff_take_a_data_disclosure_to_a_signed_package(
    policy: None,
    authority: Member,
    accounts: Any,
    server: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from playwright.sync_api import expect

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    team = team_for("DATA_DISCLOSURE", "FRAUD")
    _, session_a = staff_member(team, "Alex", 0)
    _, session_b = staff_member(team, "Billie", 1)

    def flow(browser: Any) -> None:
        alex = Staff(browser, server, session_a, SMALL)
        billie = Staff(browser, server, session_b, LARGE)
        alex.queue()
        billie.queue()
        legal_request = submit(server, authority)
        # New tickets appear without a reload, in both queues.
        for tab in (alex, billie):
            expect(tab.page.locator("#result_list")).to_contain_text("DD-1", timeout=SEEN_MS)
            # The search bar's count follows the rows that arrived (it said "0 results").
            expect(tab.page.locator("#changelist-search .quiet")).to_contain_text("1 result")
            expect(tab.page.locator("h1")).to_have_text("Queue: my team")
        alex.shot("queue")
        billie.shot("queue")
        # The admin's select-all works on the rows that arrived live.
        alex.page.locator("#action-toggle").check()
        expect(alex.page.locator(".action-counter")).to_contain_text("1 of 1 selected")
        alex.page.locator("#action-toggle").uncheck()
        for tab in (alex, billie):  # every column visible: no horizontal scrolling
            assert tab.page.evaluate(
                "() => { const t = document.querySelector('#result_list');"
                " return t.getBoundingClientRect().right <= window.innerWidth; }"
            )

        document = documents.legal_document_attach(
            actor=authority.actor,
            legal_request_id=legal_request.pk,
            upload=SimpleUploadedFile("Beschluss.pdf", PDF, content_type="application/pdf"),
        )
        alex.open_case("DD-1")
        # The document opens inside the case page; the read is audited.
        alex.clicks.click(alex.page.get_by_role("link", name="open here"))
        expect(alex.page.locator("iframe#document")).to_be_visible()
        wait_for(
            lambda: AuditEntry.objects.filter(
                action="legal_document.read", object_id=str(document.pk)
            ).exists(),
            SEEN_MS / 1000,
            "the audited read of the document",
        )
        alex.shot("case-new")
        alex.button("Acknowledge")
        alex.done("Acknowledge")
        alex.button("Start legal review")
        alex.done("Start legal review")
        alex.checklist(disclosure=True)
        alex.button("Approve …")
        alex.shot("confirm-approve")
        alex.clicks.click(alex.page.get_by_role("button", name="Yes, approve"))
        alex.done("Approve")
        expect(alex.page.locator("#case-approvals")).to_contain_text("Approvals: 1 of 2")

        billie.page.reload()
        billie.open_case("DD-1")
        expect(billie.page.locator("#case-approvals")).to_contain_text("1 of 2: given by")
        billie.confirm("Approve", "Approve", "Yes, approve")
        expect(billie.page.locator("#case-approvals")).to_contain_text("Approvals: 2 of 2")
        billie.confirm("Fulfil", "Fulfil", "Yes, fulfil")
        expect(billie.page.locator("#case-package")).to_contain_text("signed by key")
        ticket = wait_resolved(legal_request)
        billie.page.reload()
        expect(billie.page.locator("#case-time-left")).to_have_text("resolved")
        billie.shot("case-fulfilled")
        billie.page.set_viewport_size({"width": 375, "height": 812})
        billie.shot("case-fulfilled")
        # Django's own record pages too (the ticket's): UTC and her own zone beside it.
        billie.page.set_viewport_size({"width": 1366, "height": 768})
        billie.page.goto(f"{server}/admin/switchboard/ticket/{ticket.pk}/change/")
        acknowledged = billie.page.locator(".field-acknowledged_at .readonly")
        expect(acknowledged).to_contain_text(" UTC (")
        expect(acknowledged).to_contain_text("CET)")
        billie.shot("ticket-record")

        legal_request.refresh_from_db()
        assert legal_request.status == "FULFILLED"
        package = DisclosurePackage.objects.get(legal_request=legal_request)
        assert signing.verify(canonical_json(package.records), package.signature)
        assert package.records[0]["phone_number"] == "+4915123456789"
        assert ticket.resolved_at is not None
        assert alex.errors == billie.errors == []
        record_clicks(
            "data disclosure (two staff)",
            {"first staff member": alex.clicks.count, "second staff member": billie.clicks.count},
        )

    run_browser(flow)


def test_emergency_request_with_its_callback(
    policy: None,
    authority: Member,
    accounts: Any,
    server: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from playwright.sync_api import expect

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    team = team_for("EMERGENCY_DISCLOSURE", "VIOLENCE")
    _, session_a = staff_member(team, "Alex", 0)
    _, session_b = staff_member(team, "Billie", 1)

    def flow(browser: Any) -> None:
        alex = Staff(browser, server, session_a, LARGE)
        billie = Staff(browser, server, session_b, SMALL)
        alex.queue()
        legal_request = submit(
            server,
            authority,
            kind="EMERGENCY_DISCLOSURE",
            category="VIOLENCE",
            reference="EM-1",
            legalBasis="18 U.S.C. 2702(b)(8) emergency disclosure",
        )
        # From DE the instrument is the emergency EPOC: its certificate must be attached.
        documents.legal_document_attach(
            actor=authority.actor,
            legal_request_id=legal_request.pk,
            upload=SimpleUploadedFile("EPOC.pdf", PDF, content_type="application/pdf"),
        )
        expect(alex.page.locator("#result_list")).to_contain_text("EM-1", timeout=SEEN_MS)
        alex.open_case("EM-1")
        alex.button("Acknowledge")
        alex.done("Acknowledge")
        alex.button("Start legal review")
        alex.done("Start legal review")
        page = alex.page
        expect(page.locator("#case-callback")).to_contain_text(
            f"Call the registered number {authority.organization.callback_phone}"
        )
        alex.clicks.click(page.locator("summary", has_text="Record the callback"))
        alex.clicks.fill(page.get_by_label("Officer reached"), "KHK Weber")
        alex.clicks.check(page.get_by_label("The officer confirmed the request is genuine"))
        alex.button("Record the callback")
        alex.done("Record the callback")
        expect(page.locator("#case-callback")).to_contain_text("reached KHK Weber")
        alex.checklist(disclosure=True)
        alex.confirm("Approve", "Approve", "Yes, approve")
        alex.shot("case-emergency")

        billie.queue()
        billie.open_case("EM-1")
        billie.confirm("Approve", "Approve", "Yes, approve")
        billie.confirm("Fulfil", "Fulfil", "Yes, fulfil")
        expect(billie.page.locator("#case-package")).to_contain_text("signed by key")
        billie.shot("case-emergency-fulfilled")
        wait_resolved(legal_request)
        legal_request.refresh_from_db()
        assert legal_request.status == "FULFILLED"
        assert legal_request.callbacks.get().officer_name == "KHK Weber"
        assert alex.errors == billie.errors == []
        record_clicks(
            "emergency disclosure with callback (two staff)",
            {"first staff member": alex.clicks.count, "second staff member": billie.clicks.count},
        )

    run_browser(flow)


def test_terrorism_removal_order_acknowledged_and_resolved_within_its_hour(
    policy: None, authority: Member, server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import expect

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    team = team_for("CONTENT_REMOVAL", "TERRORISM")
    _, session = staff_member(team, "Sam", 0)

    def flow(browser: Any) -> None:
        sam = Staff(browser, server, session, SMALL)
        # The desktop notification, recorded (the browser's own needs a desktop).
        sam.page.add_init_script(NOTIFICATION_RECORDER)
        sam.queue()
        sam.clicks.check(sam.page.get_by_label("Sound and desktop notification for 1-hour clocks"))
        legal_request = submit(
            server,
            authority,
            kind="CONTENT_REMOVAL",
            category="TERRORISM",
            reference="TCO-1",
            legalBasis="Regulation (EU) 2021/784, removal order",
            targets=[{"kind": "MESSAGE_LINK", "value": "https://t.me/bad_channel/42"}],
            dataCategories=None,
        )
        # A TCO removal order carries its template (Reg. (EU) 2021/784, Annex I).
        documents.legal_document_attach(
            actor=authority.actor,
            legal_request_id=legal_request.pk,
            upload=SimpleUploadedFile("TCO.pdf", PDF, content_type="application/pdf"),
        )
        row = sam.page.locator("#result_list tr", has_text="TCO-1")
        expect(row).to_contain_text("P1 urgent", timeout=SEEN_MS)
        expect(row).to_contain_text("59m")
        sam.shot("queue-urgent")
        notes = sam.page.evaluate("() => window.__notes")
        assert notes == [
            "Liaison Portal: 1-hour clock: [P1] New Content removal for "
            f"{team.name}, due {legal_request.due_at:%Y-%m-%d %H:%M} UTC"
        ]
        sam.open_case("TCO-1")
        expect(sam.page.locator("#case-time-left")).to_contain_text("m")
        # Keyboard reachable: the buttons and the folded forms answer Enter.
        sam.press(sam.page.get_by_role("button", name="Acknowledge", exact=True))
        sam.done("Acknowledge")
        sam.press(sam.page.get_by_role("button", name="Start legal review", exact=True))
        sam.done("Start legal review")
        sam.checklist(disclosure=False, keyboard=True)
        sam.confirm("Approve", "Approve", "Yes, approve")
        # A new token's first request from a new address is held for verification (intake
        # signals): nothing is removed until the callback to the registered number.
        assert IntakeAssessment.objects.get(legal_request=legal_request).holding
        sam.clicks.click(sam.page.locator("summary", has_text="Record the callback"))
        sam.clicks.fill(sam.page.get_by_label("Officer reached"), "EKHK Roth")
        sam.clicks.check(sam.page.get_by_label("The officer confirmed the request is genuine"))
        sam.button("Record the callback")
        sam.done("Record the callback")
        sam.confirm("Fulfil", "Fulfil", "Yes, fulfil")
        ticket = wait_resolved(legal_request)
        sam.page.reload()
        expect(sam.page.locator("#case-status")).to_contain_text("Fulfilled")
        sam.shot("case-removal-resolved")
        legal_request.refresh_from_db()
        assert ticket.resolved_at is not None
        assert ticket.acknowledged_at is not None
        assert ticket.resolved_at - legal_request.submitted_at < timedelta(hours=1)
        assert ticket.breached_at is None
        assert sam.errors == []
        record_clicks("terrorism removal order (one staff member)", {"staff": sam.clicks.count})

    run_browser(flow)


def test_held_emergency_request_callback_recorded_from_the_case_page(
    policy: None,
    authority: Member,
    accounts: Any,
    server: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An emergency held for verification at intake: the queue flags it, the case page shows
    the signals and the registered number, the callback recorded there lifts the hold."""
    from playwright.sync_api import expect

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # The member's e-mail is outside the organization's registered domain, and it is its first
    # request: held (tests/liaison/test_intake_signals.py).
    authority.organization.email_domain = "polizei.example"
    authority.organization.save(update_fields=["email_domain"])
    team = team_for("EMERGENCY_DISCLOSURE", "VIOLENCE")
    _, session = staff_member(team, "Alex", 0)

    def flow(browser: Any) -> None:
        alex = Staff(browser, server, session, SMALL)
        alex.queue()
        legal_request = submit(
            server,
            authority,
            kind="EMERGENCY_DISCLOSURE",
            category="VIOLENCE",
            reference="EM-HELD",
            legalBasis="18 U.S.C. 2702(b)(8) emergency disclosure",
        )
        assessment = IntakeAssessment.objects.get(legal_request=legal_request)
        assert assessment.holding
        row = alex.page.locator("#result_list tr", has_text="EM-HELD")
        expect(row.locator(".case-flag-held")).to_have_text(
            "held for verification", timeout=SEEN_MS
        )
        alex.page.reload()  # the live row, then the rendered one, carry the flag
        expect(row.locator(".case-flag-held")).to_have_text("held for verification")
        alex.shot("queue-held")
        alex.open_case("EM-HELD")
        page = alex.page
        expect(page.locator("#case-status .case-flag-held")).to_have_text("held for verification")
        hold = page.locator("#case-verification")
        expect(hold).to_contain_text(f"score {assessment.score}, threshold {assessment.threshold}")
        expect(hold).to_contain_text(f"registered number {authority.organization.callback_phone}")
        expect(hold).to_contain_text("member e-mail outside the organization")
        alex.button("Acknowledge")
        alex.done("Acknowledge")
        alex.button("Start legal review")
        alex.done("Start legal review")
        alex.shot("case-held")
        alex.clicks.click(page.locator("summary", has_text="Record the callback"))
        alex.clicks.fill(page.get_by_label("Officer reached"), "KHK Weber")
        alex.clicks.check(page.get_by_label("The officer confirmed the request is genuine"))
        alex.button("Record the callback")
        alex.done("Record the callback")
        expect(page.locator("#case-callback")).to_contain_text("reached KHK Weber")
        expect(hold).to_contain_text("Was held (score")
        expect(hold).to_contain_text("verified by the callback of")
        expect(page.locator("#case-status .case-flag-held")).to_have_count(0)
        alex.shot("case-held-verified")
        alex.page.set_viewport_size({"width": 375, "height": 812})
        alex.shot("case-held-verified")
        section = alex.page.locator("#h-request").locator("..")
        section.screenshot(path=str(OUTPUT / "casework-case-held-request-375.png"))
        # Nothing wider than the phone's screen (the signals, pre-flight and overlaps wrap).
        assert alex.page.evaluate("() => document.documentElement.scrollWidth") <= 375
        assessment.refresh_from_db()
        assert assessment.verified_at is not None
        assert assessment.verified_by_callback is not None
        alex.page.goto(f"{server}/admin/casework/case/?scope=all&held=yes")
        expect(alex.page.locator("#result_list")).to_have_count(0)
        assert alex.errors == []
        record_clicks(
            "held emergency: callback lifts the hold", {"staff member": alex.clicks.count}
        )

    run_browser(flow)


def test_a_paused_clock_reads_paused_in_the_queue_and_on_the_case(
    policy: None, authority: Member, server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Staff ask for clarification from the case page: the legal clock stops, and the queue
    and the case say "paused" with the time that was left, never "overdue" (screenshots at
    1,366 x 768 and 1,920 x 1,080)."""
    from playwright.sync_api import expect

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    team = team_for("DATA_DISCLOSURE", "FRAUD")
    _, session = staff_member(team, "Alex", 0)

    def flow(browser: Any) -> None:
        alex = Staff(browser, server, session, SMALL)
        alex.queue()
        legal_request = submit(server, authority, reference="DD-PAUSE")
        documents.legal_document_attach(
            actor=authority.actor,
            legal_request_id=legal_request.pk,
            upload=SimpleUploadedFile("Beschluss.pdf", PDF, content_type="application/pdf"),
        )
        expect(alex.page.locator("#result_list")).to_contain_text("DD-PAUSE", timeout=SEEN_MS)
        alex.open_case("DD-PAUSE")
        alex.button("Start legal review")
        alex.done("Start legal review")
        page = alex.page
        alex.clicks.click(page.locator("summary", has_text="Ask for clarification"))
        alex.clicks.fill(page.get_by_label("Question"), "Which account exactly?")
        alex.button("Ask for clarification (the clock pauses)")
        alex.done("Ask for clarification (the clock pauses)")
        ticket = wait_for(
            lambda: Ticket.objects.filter(
                legal_request=legal_request, paused_at__isnull=False
            ).first(),
            SEEN_MS / 1000,
            "the ticket's clock to pause",
        )
        left = ticket.due_at - ticket.paused_at
        page.reload()
        expect(page.locator("#case-time-left")).to_contain_text("paused,")
        expect(page.locator("#case-clock-pause")).to_contain_text("Legal clock paused")
        alex.shot("case-paused")
        page.goto(f"{server}/admin/casework/case/")
        row = page.locator("#result_list tr", has_text="DD-PAUSE")
        expect(row.locator(".case-left-paused")).to_have_text(
            f"paused, {humanize_duration(left, compact=True)} left"
        )
        expect(row.locator(".case-flag-paused")).to_have_text("paused")
        expect(row).not_to_contain_text("overdue")
        alex.shot("queue-paused")
        page.set_viewport_size(LARGE)
        alex.shot("queue-paused")
        assert page.evaluate(
            "() => document.querySelector('#result_list').getBoundingClientRect().right"
            " <= window.innerWidth"
        )
        assert alex.errors == []

    run_browser(flow)
