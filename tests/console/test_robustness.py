"""Every console form refuses a cross-site post (CSRF) and answers garbage with form errors or
a 404, never a 500; the request list costs a fixed number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from liaison.models import ApiToken
from tests.conftest import Member
from tests.console.conftest import console_client
from tests.factories import LegalRequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def urls(officer: Member, colleague: Member) -> list[str]:
    legal_request = LegalRequestFactory(organization=officer.organization, status="NEEDS_INFO")
    token = ApiToken.objects.filter(membership=officer.membership).first()
    assert token is not None
    base = f"/console/requests/{legal_request.pk}/"
    return [
        "/console/requests/new/", f"{base}answer/", f"{base}withdraw/", f"{base}documents/",
        "/console/tokens/", f"/console/tokens/{token.pk}/revoke/", "/console/members/",
        f"/console/members/{colleague.membership.pk}/", "/console/settings/",
    ]  # fmt: skip


def test_every_form_refuses_a_post_without_the_csrf_token(officer: Member, urls: list[str]) -> None:
    signed_in = console_client(officer)
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = signed_in.cookies
    for url in [*urls, "/console/request-access/", "/console/invitations/whatever/"]:
        assert strict.post(url, {"answer": "x", "action": "rotate"}).status_code == 403, url


GARBAGE: list[dict[str, Any]] = [
    {},
    {
        "kind": "\x00",
        "period_start": "yesterday",
        "period_end": "2026-13-45T99:99",
        "data_categories": ["SOUL"],
        "target_kind_0": "DNA",
        "target_value_0": "x" * 5000,
        "idempotency_key": "k" * 500,
        "jurisdiction": "Ω",
        "summary": "s" * 20_000,
    },
    {
        "role": "OWNER",
        "active": "maybe",
        "email": "@",
        "expires_in_days": "-9999999999999",
        "label": "x" * 1000,
        "answer": "a" * 100_000,
        "action": "webhook",
        "webhook_url": "javascript:alert(1)",
        "contact_email": "\n",
    },
    {"action": "contacts", "contact_email": "a@b" * 100, "file": "not a file"},
]


@pytest.mark.parametrize("data", GARBAGE)
def test_garbage_is_never_a_500(browser: Client, urls: list[str], data: dict) -> None:
    for url in urls:
        response = browser.post(url, data)
        assert response.status_code in (200, 302, 400, 404), (url, response.status_code)


def test_garbage_on_the_public_pages_is_never_a_500(client: Client) -> None:
    for data in GARBAGE:
        assert client.post("/console/request-access/", data).status_code == 400
    assert client.get("/console/invitations/" + "x" * 500 + "/").status_code == 404
    assert client.post("/console/invitations/nope/", {"password": "x"}).status_code == 404


def test_the_request_list_costs_a_fixed_number_of_queries(
    officer: Member, browser: Client, django_assert_max_num_queries: Any
) -> None:
    browser.get("/console/")  # warm up (session, content types)
    for _ in range(30):
        LegalRequestFactory(organization=officer.organization)
    with django_assert_max_num_queries(12):
        response = browser.get("/console/?status=RECEIVED&due=soon&q=AZ")
    assert response.status_code == 200
    with django_assert_max_num_queries(12):
        assert browser.get("/console/?page=2").status_code == 200
