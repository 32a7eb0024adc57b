"""Organization admins in the console: API tokens (shown once, last use, revoke), members
(invite by e-mail, roles, deactivation), the webhook (egress rules, secret, test event) and the
contact address. Members who are not admins see none of the admin pages."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from console.models import Invitation
from liaison import tokens
from liaison.models import ApiToken, Membership, WebhookDelivery
from liaison.notifications import webhook_signature
from tests.conftest import Member
from tests.console.conftest import PASSWORD, console_client
from tests.liaison.test_notifications import Receiver

pytestmark = pytest.mark.django_db


def errors_of(response: Any) -> list[tuple[str, str]]:
    return re.findall(r'class="error" id="id_(\w+?)_error\d*">([^<]*)<', response.content.decode())


def link_in(message: Any) -> str:
    match = re.search(r"https?://\S+/console/invitations/\S+/", message.body)
    assert match, message.body
    return match.group(0)


def test_token_is_shown_once_works_and_can_be_revoked(officer: Member, browser: Client) -> None:
    response = browser.post("/console/tokens/", {"label": "Case system", "expires_in_days": 30})
    assert response.status_code == 200
    secret = re.search(r'id="token-secret"[^>]*value="(lp_[^"]+)"', response.content.decode())
    assert secret
    actor = tokens.api_token_authenticate(secret.group(1))
    assert actor is not None
    assert actor.organization_id == officer.organization.pk
    listing = browser.get("/console/tokens/").content.decode()
    assert secret.group(1) not in listing  # never again
    assert "Case system" in listing
    token = ApiToken.objects.get(label="Case system")
    assert token.last_used_at is not None  # used just now, and the page says when
    assert f"{token.last_used_at:%Y-%m-%d %H:%M}" in listing
    assert browser.post(f"/console/tokens/{token.pk}/revoke/").status_code == 302
    assert tokens.api_token_authenticate(secret.group(1)) is None


def test_token_bad_input_is_a_form_error(browser: Client) -> None:
    response = browser.post("/console/tokens/", {"label": "", "expires_in_days": 0})
    assert response.status_code == 400
    assert {field for field, _ in errors_of(response)} == {"label", "expires_in_days"}
    assert ApiToken.objects.filter(label="").count() == 1  # only the fixture's own token


def test_a_member_sees_and_revokes_only_own_tokens(officer: Member, colleague: Member) -> None:
    browser = console_client(colleague)
    officer_token = ApiToken.objects.get(membership=officer.membership)
    assert f"lp_{officer_token.prefix}" not in browser.get("/console/tokens/").content.decode()
    assert browser.post(f"/console/tokens/{officer_token.pk}/revoke/").status_code == 404
    officer_token.refresh_from_db()
    assert officer_token.revoked_at is None


def test_admin_pages_are_not_found_for_members(colleague: Member) -> None:
    browser = console_client(colleague)
    for url in ("/console/members/", "/console/settings/"):
        assert browser.get(url).status_code == 404
    assert (
        browser.post(f"/console/members/{colleague.membership.pk}/", {"role": "ADMIN"}).status_code
        == 404
    )
    colleague.membership.refresh_from_db()
    assert colleague.membership.role == "MEMBER"


def test_invite_a_colleague_who_joins_with_a_second_factor(
    officer: Member, browser: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail leaves after commit
        response = browser.post(
            "/console/members/", {"email": "Kim@Police.example", "role": "MEMBER"}
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["kim@police.example"]
    link = link_in(mail.outbox[0])
    newcomer = Client()
    path = link.split("testserver", 1)[1]
    page = newcomer.get(path)
    assert page.status_code == 200
    assert b"kim@police.example" in page.content
    weak = newcomer.post(path, {"password": "123", "password_again": "123"})
    assert weak.status_code == 400
    assert any(field == "password" for field, _ in errors_of(weak))
    joined = newcomer.post(path, {"password": PASSWORD, "password_again": PASSWORD})
    assert joined.status_code == 302
    membership = Membership.objects.get(user__email="kim@police.example")
    assert membership.organization_id == officer.organization.pk
    assert membership.role == "MEMBER"
    # Signed in, but the console first wants a second factor.
    assert newcomer.get("/console/")["Location"] == "/accounts/2fa/"
    # The link works once.
    assert Client().get(path).status_code == 404
    assert Invitation.objects.get().accepted_at is not None


def test_invite_bad_input(officer: Member, colleague: Member, browser: Client) -> None:
    bad = browser.post("/console/members/", {"email": "not-an-address", "role": "MEMBER"})
    assert bad.status_code == 400
    assert errors_of(bad)[0][0] == "email"
    member = browser.post(
        "/console/members/", {"email": colleague.membership.user.email, "role": "MEMBER"}
    )
    assert ("email", "This person is already a member.") in errors_of(member)
    assert mail.outbox == []


def test_roles_and_deactivation(officer: Member, colleague: Member, browser: Client) -> None:
    url = f"/console/members/{colleague.membership.pk}/"
    assert browser.post(url, {"role": "ADMIN"}).status_code == 302
    colleague.membership.refresh_from_db()
    assert colleague.membership.role == "ADMIN"
    assert browser.post(url, {"active": "0"}).status_code == 302
    colleague.membership.refresh_from_db()
    assert not colleague.membership.is_active
    assert tokens.api_token_authenticate(colleague.token) is None  # its tokens stop at once
    # The last active admin stays one.
    own = f"/console/members/{officer.membership.pk}/"
    page = browser.get(browser.post(own, {"role": "MEMBER"})["Location"]).content.decode()
    assert "at least one administrator" in page
    officer.membership.refresh_from_db()
    assert officer.membership.role == "ADMIN"
    browser.post(own, {"active": "0"})
    officer.membership.refresh_from_db()
    assert officer.membership.is_active
    assert browser.post(url, {"role": "OWNER"}).status_code == 302  # refused, not a 500
    from liaison.models import AuditEntry

    assert list(
        AuditEntry.objects.filter(object_type="Membership").values_list("action", "details")
    ) == [
        ("organization.member_role_set", {"role": "ADMIN"}),
        ("organization.member_active_set", {"active": False}),
    ]


def test_webhook_egress_rules_secret_and_test_event(
    officer: Member,
    browser: Client,
    settings: Any,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.WEBHOOK_ALLOWED_HOSTS = []
    for url in (
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        receiver.url,
        "ftp://x.example/",
    ):
        refused = browser.post("/console/settings/", {"action": "webhook", "webhook_url": url})
        assert refused.status_code == 400, url
        assert [field for field, _ in errors_of(refused)] == ["webhook_url"]
    officer.organization.refresh_from_db()
    assert officer.organization.webhook_url == ""
    no_url = browser.post("/console/settings/", {"action": "test"})
    assert no_url.status_code == 400
    assert ("webhook_url", "Set a webhook URL first.") in errors_of(no_url)
    # The receiver here is plain http on 127.0.0.1, which only an allow-list lets through.
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_ALLOW_HTTP = True
    saved = browser.post("/console/settings/", {"action": "webhook", "webhook_url": receiver.url})
    assert saved.status_code == 200
    first = re.search(r'id="webhook-secret"[^>]*value="([^"]+)"', saved.content.decode())
    assert first
    rotated = browser.post("/console/settings/", {"action": "rotate"})
    second = re.search(r'id="webhook-secret"[^>]*value="([^"]+)"', rotated.content.decode())
    assert second
    assert second.group(1) != first.group(1)
    assert second.group(1) not in browser.get("/console/settings/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # delivered after the commit
        assert browser.post("/console/settings/", {"action": "test"}).status_code == 200
    delivery = WebhookDelivery.objects.get(event="webhook.test")
    assert delivery.organization_id == officer.organization.pk
    assert delivery.state == "DELIVERED"
    (headers, body) = receiver.received[-1]
    stamp = headers["X-Liaison-Signature"].split(",")[0].removeprefix("t=")
    expected = webhook_signature(secret=second.group(1), timestamp=int(stamp), body=body.decode())
    assert headers["X-Liaison-Signature"] == expected
    assert json.loads(body)["event"] == "webhook.test"
    assert browser.post("/console/settings/", {"action": "nonsense"}).status_code == 404


def test_contact_address(officer: Member, browser: Client) -> None:
    bad = browser.post("/console/settings/", {"action": "contacts", "contact_email": "nope"})
    assert bad.status_code == 400
    assert errors_of(bad)[0][0] == "contact_email"
    good = browser.post(
        "/console/settings/", {"action": "contacts", "contact_email": "Desk@Police.example"}
    )
    assert good.status_code == 200
    officer.organization.refresh_from_db()
    assert officer.organization.contact_email == "desk@police.example"


def test_an_account_without_a_password_joins_by_invitation_and_one_with_signs_in_first(
    officer: Member, browser: Client, django_capture_on_commit_callbacks: Any
) -> None:
    from tests.factories import UserFactory

    without = UserFactory(username="cmd@police.example")  # made by a command: no password
    with_one = UserFactory(username="pw@police.example")
    with_one.set_password(PASSWORD)
    with_one.save()
    with django_capture_on_commit_callbacks(execute=True):
        for user in (without, with_one):
            browser.post("/console/members/", {"email": user.email, "role": "MEMBER"})
    first, second = (link_in(m).split("testserver", 1)[1] for m in mail.outbox)
    joined = Client().post(first, {"password": PASSWORD, "password_again": PASSWORD})
    assert joined.status_code == 302
    without.refresh_from_db()
    assert without.check_password(PASSWORD)
    refused = Client().post(second, {"password": "x" * 20, "password_again": "x" * 20})
    assert refused.status_code == 400
    assert b"sign in first" in refused.content
    signed_in = Client()
    signed_in.force_login(with_one)
    assert signed_in.post(second).status_code == 302
    assert Membership.objects.filter(user=with_one, organization=officer.organization).exists()
