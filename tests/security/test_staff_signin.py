"""Attacks on staff sign-in (issue 9, item 6).

Before: 50 wrong admin passwords in 19 s, no delay, no lockout, and the password alone opened
/admin/. Now: 5 failures lock the (account, client address) pair out for 15 minutes with a 429
page, even for the right password, and X-Forwarded-For from anyone but a trusted proxy does not
move the attacker to a fresh address; /admin/ signs staff in through allauth, password then a
second factor (TOTP or WebAuthn), and a staff member without one is sent to enrol first.

The brute-force attacks run against the real server (uvicorn, the test database, the real
Redis); the sign-in steps also go through Django's test client, over the same views.
"""

from __future__ import annotations

import random
import re
import time
import uuid
from collections.abc import Iterator
from functools import cache
from io import StringIO
from pathlib import Path
from typing import Any

import httpx
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.test import Client

from core.signin import totp_ensure
from tests.factories import StaffUserFactory, UserFactory
from tests.realthings import running_portal
from tests.security.conftest import PortalServer
from tests.signin import sign_in_staff

PASSWORD = "correct horse battery staple"
WRONG = "Tr0ub4dor&3"
# The address of the reverse proxy in front of the test server (TRUSTED_PROXIES there).
PROXY = "127.0.0.1"
# An attacker on the same machine but not our proxy: its X-Forwarded-For must be ignored.
ATTACKER_HOST = "127.0.0.2"
LOCKED_PAGE = b"Sign-in locked"


# Helpers ------------------------------------------------------------------------------------


def unique_email(prefix: str) -> str:
    """allauth's throttles live in the shared Redis for minutes: a fresh account every run."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}@platform.example"


def unique_address() -> str:
    """A fresh client address every run (198.18.0.0/15 is for tests)."""
    return f"198.{random.randint(18, 19)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


def totp_code(secret: str) -> str:
    """The authenticator app's current code, computed with allauth's own HOTP function (waits
    out the last seconds of a period so the server still sees the same one)."""
    period = 30
    if period - time.time() % period < 3:
        time.sleep(period - time.time() % period + 0.2)
    return format_hotp_value(hotp_value(secret, int(time.time() // period)))


@cache
def password_hash() -> str:
    """PASSWORD hashed once (the real hasher, which the server checks: ~0.6 s a hash here)."""
    return make_password(PASSWORD)


def make_user(*, staff: bool) -> Any:
    factory = StaffUserFactory if staff else UserFactory
    return factory(username=unique_email("staff" if staff else "officer"), password=password_hash())


def make_staff(*, enrolled: bool = True) -> tuple[Any, str | None]:
    """An active staff member with PASSWORD and, if `enrolled`, an authenticator app."""
    user = make_user(staff=True)
    return user, (totp_ensure(user=user) if enrolled else None)


# The real server -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def signin_server(
    django_db_setup: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PortalServer]:
    """uvicorn as `make run` starts it, behind a reverse proxy at 127.0.0.1 (TRUSTED_PROXIES).

    uvicorn leaves X-Forwarded-For alone (--no-proxy-headers): the portal's own
    core.http.client_ip reads it, so the addresses below prove that axes and allauth use it."""
    with running_portal(
        tmp_path_factory.mktemp("signin-server") / "uvicorn.log",
        env={"TRUSTED_PROXIES": PROXY},
        uvicorn_args=("--no-proxy-headers",),
    ) as server:
        yield server


class Browser:
    """A browser (cookies, CSRF token) talking to the real server, either through our proxy
    (which reports `address` in X-Forwarded-For) or straight from another local host."""

    def __init__(
        self, server: PortalServer, *, address: str | None = None, host: str | None = None
    ) -> None:
        transport = httpx.HTTPTransport(local_address=host) if host else None
        self.http = httpx.Client(base_url=server.url, transport=transport, timeout=20)
        self.address = address

    def headers(self, forwarded_for: str | None = None) -> dict[str, str]:
        forwarded_for = forwarded_for or self.address
        return {"X-Forwarded-For": forwarded_for} if forwarded_for else {}

    def get(self, path: str) -> httpx.Response:
        return self.http.get(path, headers=self.headers())

    def post(self, path: str, data: dict[str, str], forwarded_for: str | None = None) -> Any:
        if "csrftoken" not in self.http.cookies:
            self.get(path)
        form = {**data, "csrfmiddlewaretoken": self.http.cookies["csrftoken"]}
        return self.http.post(path, data=form, headers=self.headers(forwarded_for))

    def sign_in(self, email: str, password: str, forwarded_for: str | None = None) -> Any:
        return self.post(
            "/accounts/login/?next=/admin/", {"login": email, "password": password}, forwarded_for
        )


def lockout_of(email: str) -> list[tuple[str, int]]:
    return list(
        AccessAttempt.objects.filter(username=email).values_list(
            "ip_address", "failures_since_start"
        )
    )


# Brute force (real server) ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_repeated_wrong_passwords_lock_the_account_out_then_even_the_right_one_is_refused(
    signin_server: PortalServer,
) -> None:
    user, _ = make_staff()
    address = unique_address()
    browser = Browser(signin_server, address=address)
    answers = [browser.sign_in(user.email, WRONG) for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert [a.status_code for a in answers[:-1]] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    locked = answers[-1]
    assert locked.status_code == 429, locked.text[:500]
    assert LOCKED_PAGE in locked.content
    assert b"15 minutes" in locked.content
    assert locked.headers["Retry-After"] == "900"
    right = browser.sign_in(user.email, PASSWORD)
    assert right.status_code == 429
    assert LOCKED_PAGE in right.content
    assert "sessionid" not in browser.http.cookies
    assert browser.get("/admin/").status_code == 302  # not signed in
    # Locked by account and address (the client's, reported by our proxy).
    assert lockout_of(user.email) == [(address, settings.AXES_FAILURE_LIMIT + 1)]


@pytest.mark.django_db(transaction=True)
def test_the_lockout_is_per_account_and_address_not_for_the_whole_address(
    signin_server: PortalServer,
) -> None:
    target, _ = make_staff()
    colleague, _ = make_staff()
    office = Browser(signin_server, address=unique_address())
    for _ in range(settings.AXES_FAILURE_LIMIT):
        office.sign_in(target.email, WRONG)
    assert office.sign_in(target.email, PASSWORD).status_code == 429
    # A colleague behind the same address still gets to the second-factor step.
    colleague_browser = Browser(signin_server, address=office.address)
    answer = colleague_browser.sign_in(colleague.email, PASSWORD)
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/accounts/2fa/authenticate/"


@pytest.mark.django_db(transaction=True)
def test_rotating_x_forwarded_for_does_not_escape_the_lockout(
    signin_server: PortalServer,
) -> None:
    """An attacker who is not our proxy writes a new X-Forwarded-For on every attempt: it is
    ignored, the attempts count against the attacker's real address, and it is locked out."""
    user, _ = make_staff()
    attacker = Browser(signin_server, host=ATTACKER_HOST)
    statuses = [
        attacker.sign_in(user.email, WRONG, forwarded_for=unique_address()).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[-1] == 429
    again = attacker.sign_in(user.email, PASSWORD, forwarded_for=unique_address())
    assert again.status_code == 429
    assert lockout_of(user.email) == [(ATTACKER_HOST, settings.AXES_FAILURE_LIMIT + 1)]


# Second factor (real server) ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_password_alone_does_not_open_admin_the_totp_code_does(
    signin_server: PortalServer,
) -> None:
    user, secret = make_staff()
    assert secret is not None
    browser = Browser(signin_server, address=unique_address())
    # /admin/ sends the browser to allauth's sign-in, not to a password form of its own.
    entry = browser.get("/admin/")
    assert entry.status_code == 302
    login = browser.get(entry.headers["Location"])
    assert login.status_code == 302
    assert login.headers["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    answer = browser.sign_in(user.email, PASSWORD)
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/accounts/2fa/authenticate/"
    assert browser.get("/admin/").status_code == 302  # password only: still not in
    wrong = browser.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert b"Incorrect code" in wrong.content
    assert browser.get("/admin/").status_code == 302
    right = browser.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert right.status_code == 302
    assert right.headers["Location"] == "/admin/"
    admin = browser.get("/admin/")
    assert admin.status_code == 200
    assert b"Site administration" in admin.content


@pytest.mark.django_db(transaction=True)
def test_the_demo_staff_login_printed_by_seed_demo_works(signin_server: PortalServer) -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    printed = out.getvalue()
    line = re.search(
        r"^staff (\S+) \(password: (\S+), TOTP secret: ([A-Z2-7]+)\)$", printed, re.MULTILINE
    )
    assert line, printed
    email, password, secret = line.groups()
    assert (email, password) == ("admin@platform.demo", "liaison-demo-admin")
    assert f"otpauth://totp/admin%40platform.demo?secret={secret}&issuer=" in printed
    assert re.search(r"^token demo-bka officer@bka\.demo: \S+$", printed, re.MULTILINE)
    # The same secret on every run (a new user's authenticator app keeps working).
    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert f"TOTP secret: {secret})" in again.getvalue()
    browser = Browser(signin_server, address=unique_address())
    assert browser.sign_in(email, password).headers["Location"] == "/accounts/2fa/authenticate/"
    right = browser.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert right.headers["Location"] == "/admin/"
    assert browser.get("/admin/").status_code == 200


# The sign-in steps (test client) -------------------------------------------------------------


@pytest.fixture
def browser() -> Client:
    return Client(REMOTE_ADDR=unique_address())


def follow_to(client: Client, path: str) -> str:
    """Where the chain of redirects from `path` ends (its path and query)."""
    response = client.get(path, follow=True)
    return str(response.redirect_chain[-1][0]) if response.redirect_chain else path


@pytest.mark.django_db(transaction=True)  # allauth announces a new factor after commit
def test_staff_without_a_factor_are_sent_to_enrol_and_admin_opens_after(browser: Client) -> None:
    user, _ = make_staff(enrolled=False)
    answer = browser.post(
        "/accounts/login/?next=/admin/", {"login": user.email, "password": PASSWORD}
    )
    assert answer.status_code == 302  # signed in with the password: nothing to ask yet
    assert follow_to(browser, "/admin/") == "/accounts/2fa/?next=%2Fadmin%2F"
    assert browser.get("/admin/").status_code == 302
    # Adding a factor asks for the password again (allauth), then shows the app's secret.
    again = browser.get("/accounts/2fa/totp/activate/")
    assert (
        again["Location"] == "/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
    )
    page = browser.post(again["Location"], {"password": PASSWORD}, follow=True)
    assert page.redirect_chain[-1][0] == "/accounts/2fa/totp/activate/"
    secret = page.context["form"].secret
    enrolled = browser.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert enrolled.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert browser.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_a_session_that_never_proved_the_factor_must_prove_it(browser: Client) -> None:
    user, secret = make_staff()
    assert secret is not None
    browser.force_login(user)  # as a password-only session would be
    assert follow_to(browser, "/admin/") == "/accounts/2fa/reauthenticate/?next=%2Fadmin%2F"
    assert browser.get("/admin/liaison/legalrequest/").status_code == 302
    proved = browser.post("/accounts/2fa/reauthenticate/?next=/admin/", {"code": totp_code(secret)})
    assert proved.status_code == 302
    assert proved["Location"] == "/admin/"
    assert browser.get("/admin/liaison/legalrequest/").status_code == 200


@pytest.mark.django_db
def test_the_admin_password_form_does_not_sign_anyone_in(browser: Client) -> None:
    user, _ = make_staff()
    answer = browser.post("/admin/login/", {"username": user.email, "password": PASSWORD})
    assert answer.status_code == 302
    assert answer["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in browser.session


@pytest.mark.django_db
def test_a_second_factor_older_than_a_session_no_longer_counts(browser: Client) -> None:
    user, _ = make_staff()
    sign_in_staff(browser, user)
    assert browser.get("/admin/").status_code == 200
    session = browser.session
    for record in session["account_authentication_methods"]:
        record["at"] -= settings.SESSION_COOKIE_AGE + 1
    session.save()
    assert browser.get("/admin/").status_code == 302
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_AGE == 8 * 3600


@pytest.mark.django_db
def test_members_are_not_staff_and_nobody_signs_up(browser: Client) -> None:
    member = make_user(staff=False)
    browser.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    refused = browser.get("/admin/", follow=True)
    assert refused.status_code == 403
    assert b"Staff only" in refused.content
    signup = Client(REMOTE_ADDR=unique_address())
    email = unique_email("intruder")
    signup.post("/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD})
    assert not get_user_model().objects.filter(email=email).exists()


@pytest.mark.django_db
def test_the_hotline_page_is_the_staff_side_only_with_the_second_factor(browser: Client) -> None:
    user, _ = make_staff()
    browser.force_login(user)
    assert browser.get("/hotline/").context["is_staff"] is False
    sign_in_staff(browser, user)
    assert browser.get("/hotline/").context["is_staff"] is True


# Passkeys / security keys (real server, real Chromium with a virtual authenticator) ---------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_security_key_is_added_and_then_signs_staff_in(
    signin_server: PortalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WebAuthn end to end: the relying party (WEBAUTHN_RP_ID=localhost) must match the page's
    origin, so the browser talks to http://localhost, as the README tells developers to."""
    from playwright.sync_api import expect, sync_playwright

    from tests.browser import CHROMIUM_ARGS, ensure_chromium

    chromium = ensure_chromium()
    user, secret = make_staff()
    assert secret is not None
    base = f"http://localhost:{signin_server.port}"
    output = Path(__file__).resolve().parents[2] / "test-output"  # the checkout's
    output.mkdir(exist_ok=True)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM calls between Playwright's
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": 1280, "height": 800},
                extra_http_headers={"X-Forwarded-For": unique_address()},
            )
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
                page.goto(f"{base}/admin/")
                expect(page).to_have_url(f"{base}/accounts/login/?next=%2Fadmin%2F")
                page.get_by_label("Email").fill(user.email)
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Sign In").click()
                expect(page).to_have_url(f"{base}/accounts/2fa/authenticate/")

            # First with the authenticator app.
            sign_in_with_password()
            page.get_by_placeholder("Code").fill(totp_code(secret))
            page.get_by_role("button", name="Sign In").click()
            expect(page).to_have_url(f"{base}/admin/")
            # Add a security key: allauth asks for the password again, then the key.
            page.goto(f"{base}/accounts/2fa/webauthn/add/")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Confirm").click()
            expect(page).to_have_url(f"{base}/accounts/2fa/webauthn/add/")
            page.get_by_label("Name").fill("Desk key")
            page.get_by_role("button", name="Add").click()
            page.wait_for_url(lambda url: not url.endswith("/webauthn/add/"))
            assert Authenticator.objects.filter(
                user=user, type=Authenticator.Type.WEBAUTHN
            ).exists(), page.content()[:2000]
            # Sign out, and in again with the password and the key instead of a code.
            page.goto(f"{base}/accounts/logout/")
            page.get_by_role("button", name="Sign Out").click()
            sign_in_with_password()
            page.screenshot(path=str(output / "staff-signin-second-factor.png"))
            page.get_by_role("button", name="Use a security key").click()
            expect(page).to_have_url(f"{base}/admin/")
            expect(page.get_by_text("Site administration")).to_be_visible()
            assert errors == []
        finally:
            browser.close()
