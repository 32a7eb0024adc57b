"""The console in French and German beyond its own texts: the models' choice labels (status,
kind, category, instrument, target kind, data), the services' errors a form shows, and dates
in the language's format with the 24-hour clock and the zone. The API stays English whatever
the browser asks for."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.utils import formats, timezone, translation

from core.actors import Actor
from liaison import selectors
from liaison.models import LegalRequest
from tests.conftest import Member
from tests.console.test_signin_and_requests import errors_of, form_data
from tests.liaison.conftest import under_review

pytestmark = pytest.mark.django_db

# The English labels of the request under_review() makes: none may be left on a page in fr/de.
ENGLISH_LABELS = [
    "Data disclosure",
    "Under review",
    "Fraud",
    "European Production Order",
    "Username",
    "IP addresses",
    "Phone number",
    "Received",
]
LABELS = {
    "fr": [
        "Communication de données",
        "En cours d\u2019examen",
        "Fraude",
        "Injonction européenne de production (règl. (UE) 2023/1543)",
        "Nom d\u2019utilisateur: <code>fraud_boss</code>",
        "Adresses IP, Numéro de téléphone",
    ],
    "de": [
        "Datenauskunft",
        "In Prüfung",
        "Betrug",
        "Europäische Herausgabeanordnung (VO (EU) 2023/1543)",
        "Benutzername: <code>fraud_boss</code>",
        "IP-Adressen, Telefonnummer",
    ],
}


def _dated(legal_request: LegalRequest, language: str) -> str:
    with translation.override(language):
        return formats.date_format(timezone.localtime(legal_request.due_at), "DATETIME_FORMAT")


@pytest.mark.parametrize("language", ["fr", "de"])
def test_a_request_page_shows_the_labels_and_dates_in_the_readers_language(
    officer: Member, browser: Client, staff_one: Actor, language: str
) -> None:
    legal_request = under_review(officer, staff_one)
    response = browser.get(f"/console/requests/{legal_request.pk}/", HTTP_ACCEPT_LANGUAGE=language)
    page = unescape(response.content.decode())
    for label in LABELS[language]:
        assert label in page, label
    facts = page[page.index('id="facts"') : page.index("</dl>")]
    targets = page[page.index('id="targets-h"') : page.index("</section>", page.index("targets-h"))]
    timeline = page[page.index('class="timeline"') : page.index("</ol>")]
    for english in ENGLISH_LABELS:
        assert not re.search(rf"\b{re.escape(english)}\b", facts + targets + timeline), english
    # The deadline: the language's date, 24-hour clock and zone; ISO 8601 for machines.
    due = timezone.localtime(legal_request.due_at)
    shown = _dated(legal_request, language)
    assert shown.endswith(f"{due:%H:%M} UTC")
    assert f'<time datetime="{due.isoformat()}">{shown}</time>' in page
    # The list: the short date in the language's order, the time beside it.
    listing = unescape(browser.get("/console/", HTTP_ACCEPT_LANGUAGE=language).content.decode())
    short = f"{due:%d/%m/%Y}" if language == "fr" else f"{due:%d.%m.%Y}"
    assert f"{short} {due:%H:%M}" in listing
    assert LABELS[language][1] in listing  # the status


@pytest.mark.parametrize(
    ("language", "target_error", "choice"),
    [
        (
            "fr",
            "Un identifiant d\u2019utilisateur est un nombre entier positif, écrit avec les "
            "chiffres 0 à 9.",
            "Identifiant d\u2019utilisateur",
        ),
        (
            "de",
            "Eine Benutzer-ID ist eine positive ganze Zahl aus den Ziffern 0 bis 9.",
            "Benutzer-ID",
        ),
    ],
)
def test_the_submission_form_shows_the_services_errors_in_the_readers_language(
    browser: Client, language: str, target_error: str, choice: str
) -> None:
    response = browser.post(
        "/console/requests/new/",
        form_data(target_kind_0="USER_ID", target_value_0="abc", period_end="2026-01-01T00:00"),
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    errors = dict(unescape_all(errors_of(response)))
    assert errors["target_value_0"] == target_error
    period = {
        "fr": "Indiquez le début et la fin de la période (periodStart et periodEnd), ou ni "
        "l\u2019un ni l\u2019autre.",
        "de": "Geben Sie Beginn und Ende des Zeitraums an (periodStart und periodEnd) oder "
        "keines von beiden.",
    }
    assert errors["period_start"] == period[language]
    page = unescape(response.content.decode())
    assert f'value="USER_ID" selected>{choice}</option>' in page  # the target kind choice
    for english in ("User id", "Username", "Message link", "IP addresses", "Fraud</option>"):
        assert english not in page, english


def unescape_all(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(field, unescape(text)) for field, text in pairs]


SUBMIT = """mutation($input: SubmitLegalRequestInput!) { submitLegalRequest(input: $input) {
  __typename ... on OperationInfo { messages { field code message } } } }"""


@pytest.mark.parametrize("language", ["fr", "de", "fr-FR,fr;q=0.9,en;q=0.5"])
def test_the_api_answers_in_english_whatever_the_browser_asks(
    client: Client, authority: Member, monkeypatch: pytest.MonkeyPatch, language: str
) -> None:
    def post(query: str, variables: dict[str, Any] | None = None) -> Any:
        response = client.post(
            "/graphql/",
            data=json.dumps({"query": query, "variables": variables or {}}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {authority.token}",
            HTTP_ACCEPT_LANGUAGE=language,
        )
        assert response.status_code == 200
        assert response["Content-Language"] == "en"
        return response.json()

    variables = {
        "input": {
            "kind": "DATA_DISCLOSURE",
            "category": "FRAUD",
            "reference": "AZ 1/26",
            "legalBasis": "Court order",
            "jurisdiction": "DE",
            "summary": "Fraud.",
            "targets": [{"kind": "USER_ID", "value": "abc"}],
            "dataCategories": ["IP_ADDRESSES"],
        }
    }
    messages = post(SUBMIT, variables)["data"]["submitLegalRequest"]["messages"]
    assert {"field": "targets.0.value", "code": "invalid_target", "message": (
        "A user id is a positive whole number, written in digits 0-9."
    )} in messages  # fmt: skip
    # Django's own messages (translated by Django for the pages) stay English too.
    monkeypatch.setattr(
        selectors,
        "legal_request_list",
        lambda **kwargs: list(LegalRequest.objects.filter(pk="not-a-uuid")),
    )
    body = post("{ legalRequests(first: 1) { totalCount } }")
    assert "is not a valid UUID" in body["errors"][0]["message"]
    # The explorer page in a browser keeps the browser's language.
    explorer = client.get("/graphql/", HTTP_ACCEPT="text/html", HTTP_ACCEPT_LANGUAGE=language)
    assert explorer["Content-Language"] != "en"
