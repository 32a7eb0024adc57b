"""Attack: input that is not text, and an idempotency key reused for another request.

Before: a NUL byte in any string field reached PostgreSQL and came back as a masked
"Unexpected error"; superscript digits in a USER_ID passed `str.isdigit()` and crashed `int()`
(masked too); a field of zero-width spaces, a bidi override (U+202E) or a control character was
stored as it came; the same idempotency key with another input silently returned the first
request. Now one cleaning step (core.graphql.text) refuses each with a field-level OperationInfo
(`invalid_characters`, `blank`) before any resolver runs, or normalises what a user meant (NFC,
surrounding spaces, full-width digits); a query's text argument gets a GraphQL error with the
same code; and a reused key with another input is `idempotency_conflict` on `idempotencyKey`.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
import urllib.request
from typing import Any

import pytest

from core.graphql import text
from core.outbox.models import OutboxEvent
from hotline.models import Conversation, Message
from liaison.models import LegalRequest, Target
from tests.conftest import Member, make_member
from tests.factories import NgoFactory, OrganizationFactory
from tests.hotline.chatkit import SEND
from tests.liaison.test_submit import SUBMIT, errors_by_field, submit, valid_input
from tests.security.conftest import PortalServer

NUL = "\x00"
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE
ZWSP = "\u200b"  # ZERO WIDTH SPACE


def nothing_stored() -> bool:
    return not (LegalRequest.objects.exists() or Target.objects.exists())


# submitLegalRequest ---------------------------------------------------------------------------

ATTACKS = [
    # (overrides of a valid input, field, code)
    ({"reference": f"AZ{NUL}123"}, "reference", "invalid_characters"),
    ({"legalBasis": f"Court order{NUL}"}, "legalBasis", "invalid_characters"),
    ({"summary": f"Fraud{NUL} ring"}, "summary", "invalid_characters"),
    ({"jurisdiction": f"D{NUL}E"}, "jurisdiction", "invalid_characters"),
    ({"idempotencyKey": f"key{NUL}1"}, "idempotencyKey", "invalid_characters"),
    (
        {"targets": [{"kind": "USERNAME", "value": f"fraud{NUL}boss"}]},
        "targets.0.value",
        "invalid_characters",
    ),
    ({"reference": f"{RLO}62/654 sJ 321 ZA"}, "reference", "invalid_characters"),
    ({"summary": f"See t.me/{RLO}lennahc_doog"}, "summary", "invalid_characters"),
    ({"legalBasis": "Court order\u2066x\u2069"}, "legalBasis", "invalid_characters"),
    ({"reference": "AZ\u200f123"}, "reference", "invalid_characters"),
    (
        {
            "targets": [
                {"kind": "USERNAME", "value": "fraud_boss"},
                {"kind": "MESSAGE_LINK", "value": f"https://t.me/{RLO}lennahc/1"},
            ]
        },
        "targets.1.value",
        "invalid_characters",
    ),
    ({"reference": "AZ\x07123"}, "reference", "invalid_characters"),  # BEL
    ({"summary": "Fraud \x1b[31m ring"}, "summary", "invalid_characters"),  # ESC
    ({"summary": "Fraud\x7f"}, "summary", "invalid_characters"),  # DEL
    ({"summary": "Fraud\x85ring"}, "summary", "invalid_characters"),  # NEL (C1)
    ({"reference": "AZ 123\nJs 456"}, "reference", "invalid_characters"),  # one-line field
    ({"summary": "Fraud \ud800 ring"}, "summary", "invalid_characters"),  # lone surrogate
    ({"summary": "Fraud \ufdd0 ring"}, "summary", "invalid_characters"),  # noncharacter
    ({"reference": "AZ\uffff"}, "reference", "invalid_characters"),
    ({"reference": ZWSP * 3}, "reference", "blank"),
    ({"summary": f"{ZWSP}\u2060\ufeff \n{ZWSP}"}, "summary", "blank"),
    ({"legalBasis": "\u200c\u200d"}, "legalBasis", "blank"),
    ({"targets": [{"kind": "USERNAME", "value": ZWSP}]}, "targets.0.value", "blank"),
    ({"idempotencyKey": "\u3164"}, "idempotencyKey", "blank"),  # a Hangul filler
    # Digits that are not ASCII digits: superscripts (isdigit() is true, int() fails), and
    # Arabic-Indic digits (int() takes them): not a user id.
    ({"targets": [{"kind": "USER_ID", "value": "¹²³"}]}, "targets.0.value", "invalid_target"),
    ({"targets": [{"kind": "USER_ID", "value": "١٢٣"}]}, "targets.0.value", "invalid_target"),
    (
        {"targets": [{"kind": "MESSAGE_LINK", "value": "https://t.me/chan_nel/¹²"}]},
        "targets.0.value",
        "invalid_target",
    ),
]


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    ATTACKS,
    ids=[f"{a[1]}-{a[2]}-{n}" for n, a in enumerate(ATTACKS)],
)
@pytest.mark.django_db
def test_text_that_is_not_text_is_refused_on_its_field_and_nothing_is_stored(
    gql: Any, authority: Member, overrides: dict[str, Any], field: str, code: str
) -> None:
    result = submit(gql, authority, **overrides)
    assert errors_by_field(result) == {field: code}, result
    (message,) = result["messages"]
    assert message["kind"] == "VALIDATION"
    assert "Unexpected" not in message["message"]
    # The message names the character by its code point; it never echoes it.
    assert not re.search("[\x00-\x1f\x7f-\x9f\u202a-\u202e\ud800-\udfff]", message["message"])
    assert nothing_stored()
    assert not OutboxEvent.objects.exists()


@pytest.mark.django_db
def test_every_bad_text_field_is_reported_at_once(gql: Any, authority: Member) -> None:
    result = submit(
        gql,
        authority,
        reference=NUL,
        summary=ZWSP,
        targets=[{"kind": "USERNAME", "value": "fraud_boss"}, {"kind": "CHANNEL", "value": RLO}],
    )
    assert errors_by_field(result) == {
        "reference": "invalid_characters",
        "summary": "blank",
        "targets.1.value": "invalid_characters",
    }
    assert nothing_stored()


@pytest.mark.django_db
def test_what_a_user_meant_is_stored_normalised(gql: Any, authority: Member) -> None:
    decomposed = "Me\u0301tropole  "  # "e" + COMBINING ACUTE ACCENT
    result = submit(
        gql,
        authority,
        reference=f" \ufeffAZ 123/{decomposed}\u200b",
        legalBasis="\tCourt order, AG Ko\u0308ln\n",
        summary="  Line one,\r\n\tline two.\n\nLine three e\u0301.  \n",
        targets=[
            {"kind": "USER_ID", "value": " \uff11\uff12\uff13\uff14\uff15 "},  # full-width 12345
            {"kind": "USERNAME", "value": "\u00a0@Fraud_Boss "},
        ],
    )
    assert result["__typename"] == "LegalRequest", result
    stored = LegalRequest.objects.get()
    assert stored.reference == "AZ 123/Métropole"
    assert unicodedata.is_normalized("NFC", stored.reference)
    assert stored.legal_basis == "Court order, AG Köln"
    assert stored.summary == "Line one,\r\n\tline two.\n\nLine three é."
    assert list(stored.targets.values_list("kind", "value")) == [
        ("USER_ID", "12345"),
        ("USERNAME", "fraud_boss"),
    ]


@pytest.mark.django_db
def test_the_same_input_written_differently_is_the_same_request(
    gql: Any, authority: Member
) -> None:
    first = submit(gql, authority, idempotencyKey="AZ-1", summary="Café fraud")
    again = submit(
        gql,
        authority,
        idempotencyKey=" AZ-1\u200b",
        summary=" Cafe\u0301 fraud\n",
        reference=f"{valid_input()['reference']} ",
    )
    assert again["id"] == first["id"]
    conflict = submit(gql, authority, idempotencyKey="AZ-1", summary="Café fraud, again")
    assert errors_by_field(conflict) == {"idempotencyKey": "idempotency_conflict"}
    assert LegalRequest.objects.count() == 1
    assert OutboxEvent.objects.count() == 1


# Other mutations and queries -----------------------------------------------------------------

ANSWER = """
mutation($id: ID!, $answer: String!) { answerClarification(id: $id, answer: $answer) {
  __typename ... on OperationInfo { messages { field code } } } }
"""
GUIDE = """
query($jurisdiction: String!) {
  routingGuide(kind: DATA_DISCLOSURE, category: FRAUD, jurisdiction: $jurisdiction) { teamName }
}
"""


@pytest.mark.django_db
def test_a_plain_text_argument_is_cleaned_too(gql: Any, authority: Member) -> None:
    body = gql(ANSWER, {"id": "x", "answer": f"Here{NUL}"}, token=authority.token)
    result = body["data"]["answerClarification"]
    assert result == {
        "__typename": "OperationInfo",
        "messages": [{"field": "answer", "code": "invalid_characters"}],
    }
    # The answer is multi-line: its newlines are text; the id is one line, and also cleaned.
    body = gql(ANSWER, {"id": f"x{RLO}", "answer": "Line one\nline two"}, token=authority.token)
    assert body["data"]["answerClarification"]["messages"] == [
        {"field": "id", "code": "invalid_characters"}
    ]


@pytest.mark.parametrize(
    ("jurisdiction", "code"),
    [(f"D{NUL}E", "INVALID_CHARACTERS"), (ZWSP, "BLANK"), (RLO, "INVALID_CHARACTERS")],
)
@pytest.mark.django_db
def test_a_querys_text_argument_gets_a_clear_error(gql: Any, jurisdiction: str, code: str) -> None:
    body = gql(GUIDE, {"jurisdiction": jurisdiction})
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"] == {"code": code, "field": "jurisdiction"}
    assert error["message"].startswith("jurisdiction: Contains")
    assert "Unexpected" not in error["message"]


@pytest.mark.django_db
def test_a_querys_text_argument_is_normalised(gql: Any) -> None:
    body = gql(GUIDE, {"jurisdiction": "\ufeff de\u200b"})
    assert body["data"]["routingGuide"]["teamName"], body


@pytest.mark.django_db
def test_an_id_argument_gets_the_same_rules(gql: Any, authority: Member) -> None:
    body = gql(
        "query($id: ID!) { legalRequest(id: $id) { id } }", {"id": NUL}, token=authority.token
    )
    assert body["errors"][0]["extensions"] == {"code": "INVALID_CHARACTERS", "field": "id"}


# sendHotlineMessage ---------------------------------------------------------------------------


def main_line(member: Member) -> Conversation:
    return Conversation.objects.get(organization=member.organization, legal_request__isnull=True)


def send(gql: Any, member: Member, **overrides: Any) -> dict[str, Any]:
    message = {
        "conversationId": str(main_line(member).pk),
        "body": "hello",
        "clientMessageId": "c1",
    }
    message.update(overrides)
    return gql(SEND, {"input": message}, token=member.token)["data"]["sendHotlineMessage"]


HOTLINE_ATTACKS = [
    ({"body": f"hello{NUL}"}, "body", "invalid_characters"),
    ({"body": f"see t.me/{RLO}lennahc/7"}, "body", "invalid_characters"),
    ({"body": "hello \x1b]0;owned\x07"}, "body", "invalid_characters"),
    ({"body": f"{ZWSP}{ZWSP}\n{ZWSP}"}, "body", "blank"),
    ({"body": "\ud83d"}, "body", "invalid_characters"),  # half of an emoji
    ({"clientMessageId": f"c{NUL}1"}, "clientMessageId", "invalid_characters"),
    ({"clientMessageId": ZWSP}, "clientMessageId", "blank"),
    ({"conversationId": f"{NUL}1"}, "conversationId", "invalid_characters"),
    (
        {"urgent": True, "report": {"category": "CHILD_SAFETY", "jurisdiction": f"D{NUL}E"}},
        "report.jurisdiction",
        "invalid_characters",
    ),
    (
        {
            "urgent": True,
            "report": {
                "category": "TERRORISM",
                "targets": [{"kind": "MESSAGE_LINK", "value": f"https://t.me/x/1{RLO}"}],
            },
        },
        "report.targets.0.value",
        "invalid_characters",
    ),
    (
        {
            "urgent": True,
            "report": {"category": "TERRORISM", "targets": [{"kind": "CHANNEL", "value": ZWSP}]},
        },
        "report.targets.0.value",
        "blank",
    ),
]


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    HOTLINE_ATTACKS,
    ids=[f"{a[1]}-{a[2]}-{n}" for n, a in enumerate(HOTLINE_ATTACKS)],
)
@pytest.mark.django_db
def test_a_hotline_message_that_is_not_text_is_refused_and_nothing_is_stored(
    gql: Any, ngo: Member, overrides: dict[str, Any], field: str, code: str
) -> None:
    before = Message.objects.count()
    result = send(gql, ngo, **overrides)
    assert "messages" in result, result
    assert {m["field"]: m["code"] for m in result["messages"]} == {field: code}, result
    assert Message.objects.count() == before
    assert nothing_stored()


@pytest.mark.django_db
def test_a_hotline_message_is_stored_normalised_with_its_lines(gql: Any, ngo: Member) -> None:
    result = send(
        gql, ngo, body="\n  Hello,\n\tthe cafe\u0301 channel is back.  \n", clientMessageId=" c7 "
    )
    assert result["body"] == "Hello,\n\tthe café channel is back.", result
    assert result["clientMessageId"] == "c7"
    stored = Message.objects.get(client_message_id="c7")
    assert stored.body == "Hello,\n\tthe café channel is back."


# The rules themselves ---------------------------------------------------------------------------


def test_every_format_character_counts_as_invisible() -> None:
    """The blank rule's list of invisible characters holds every format character (Cf) of the
    running Python's Unicode database."""
    invisible = re.compile(f"[{text._INVISIBLE}]")
    missing = [
        f"U+{point:04X}"
        for point in range(sys.maxunicode + 1)
        if unicodedata.category(chr(point)) == "Cf" and not invisible.match(chr(point))
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("value", "multiline", "cleaned"),
    [
        ("  AZ 123  ", False, "AZ 123"),
        ("e\u0301", False, "é"),
        ("\ufeffAZ\u200b", False, "AZ"),
        ("a\u200db", False, "a\u200db"),  # a joiner inside text is text (emoji, scripts)
        ("", False, ""),
        (" \n ", False, ""),  # empty: left to the service, which knows if it is required
        ("a\r\n\tb\n", True, "a\r\n\tb"),
        ("שלום", False, "שלום"),  # right-to-left text needs no controls
    ],
)
def test_clean_text_normalises(value: str, multiline: bool, cleaned: str) -> None:
    assert text.clean_text(value, multiline=multiline) == cleaned


@pytest.mark.parametrize(
    ("value", "multiline", "code"),
    [
        ("a\tb", False, "invalid_characters"),
        ("a\u2028b", False, "invalid_characters"),
        ("a\x00b", True, "invalid_characters"),
        ("a\x0bb", True, "invalid_characters"),
        ("a\u061cb", True, "invalid_characters"),
        ("a\u200eb", True, "invalid_characters"),
        ("a\U0001fffe", True, "invalid_characters"),
        ("\udc00", True, "invalid_characters"),
        ("\u00ad\u034f\u2800", False, "blank"),
    ],
)
def test_clean_text_refuses(value: str, multiline: bool, code: str) -> None:
    with pytest.raises(text.TextRefused) as refused:
        text.clean_text(value, multiline=multiline)
    assert refused.value.code == code


# Against the real server ------------------------------------------------------------------------


def post(server: PortalServer, query: str, variables: dict[str, Any], token: str) -> Any:
    request = urllib.request.Request(  # noqa: S310 - loopback test server
        f"{server.url}/graphql/",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read())


@pytest.mark.django_db(transaction=True)
def test_the_real_server_refuses_text_that_is_not_text(portal_server: PortalServer) -> None:
    authority = make_member(OrganizationFactory())
    body = post(
        portal_server,
        SUBMIT,
        {
            "input": valid_input(
                reference=f"AZ{NUL}1",
                summary=ZWSP,
                targets=[{"kind": "USER_ID", "value": "¹²³"}],
            )
        },
        authority.token,
    )
    assert "errors" not in body, body
    assert errors_by_field(body["data"]["submitLegalRequest"]) == {
        "reference": "invalid_characters",
        "summary": "blank",
    }
    # With clean text, the USER_ID's superscripts are the target's own error (never masked).
    body = post(
        portal_server,
        SUBMIT,
        {"input": valid_input(targets=[{"kind": "USER_ID", "value": "¹²³"}])},
        authority.token,
    )
    assert errors_by_field(body["data"]["submitLegalRequest"]) == {
        "targets.0.value": "invalid_target"
    }
    ngo = make_member(NgoFactory())
    message = {
        "conversationId": str(main_line(ngo).pk),
        "body": f"{RLO}olleh",
        "clientMessageId": "c1",
    }
    body = post(portal_server, SEND, {"input": message}, ngo.token)
    assert body["data"]["sendHotlineMessage"]["messages"][0]["code"] == "invalid_characters"
    assert nothing_stored()
    assert not Message.objects.filter(client_message_id="c1").exists()
    assert "Unexpected error" not in portal_server.log_text()


@pytest.mark.django_db(transaction=True)
def test_the_real_server_refuses_an_idempotency_key_reused_for_another_request(
    portal_server: PortalServer,
) -> None:
    authority = make_member(OrganizationFactory())
    first = post(
        portal_server, SUBMIT, {"input": valid_input(idempotencyKey="k1")}, authority.token
    )
    request = first["data"]["submitLegalRequest"]
    assert request["__typename"] == "LegalRequest", first
    same = post(
        portal_server,
        SUBMIT,
        {"input": valid_input(idempotencyKey="k1", summary=f" {valid_input()['summary']}\n")},
        authority.token,
    )
    assert same["data"]["submitLegalRequest"]["id"] == request["id"]
    other = post(
        portal_server,
        SUBMIT,
        {"input": valid_input(idempotencyKey="k1", reference="AZ 999/26")},
        authority.token,
    )
    assert errors_by_field(other["data"]["submitLegalRequest"]) == {
        "idempotencyKey": "idempotency_conflict"
    }
    assert list(LegalRequest.objects.values_list("reference", flat=True)) == [request["reference"]]
