"""Desk and deadline at receipt (issue 10, item 1) and the legal instruments (item 2): the answer
to submitLegalRequest says who handles a request and by when, from the policy revision the
ticket then uses; each instrument fixes its clock from the law; the guide says how an absent
instrument is inferred."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils.dateparse import parse_datetime

from core.outbox import services as outbox
from liaison import instruments
from liaison.models import LegalInstrument, LegalRequest
from switchboard.models import LegalClock, PolicyRevision, RoutingRule, Team, Ticket
from tests.conftest import GraphQL, Member
from tests.realthings import RedisServer, point_portal_at
from tests.switchboard.conftest import submitted_events

SUBMIT = """
mutation Submit($input: SubmitLegalRequestInput!) {
  submitLegalRequest(input: $input) {
    __typename
    ... on LegalRequest { id status submittedAt dueAt handlingTeam { name } instrument }
    ... on OperationInfo { messages { kind field message code } }
  }
}
"""

GUIDE = """query($kind: RequestKind!, $category: RequestCategory!, $jurisdiction: String!,
                 $instrument: LegalInstrument) {
  routingGuide(kind: $kind, category: $category, jurisdiction: $jurisdiction,
               instrument: $instrument) {
    teamName deadlineSeconds requiredFields instrument instrumentInferred instrumentInference
    clockSource documentRequired retentionSeconds retentionMonths extensionSeconds } }"""

TARGETS = {
    "CONTENT_REMOVAL": {"kind": "MESSAGE_LINK", "value": "https://t.me/bad_channel/42"},
    "MODERATION_NOTICE": {"kind": "MESSAGE_LINK", "value": "https://t.me/bad_channel/43"},
}


def request_input(
    kind: str = "DATA_DISCLOSURE", category: str = "FRAUD", jurisdiction: str = "DE", **extra: Any
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "kind": kind,
        "category": category,
        "reference": "AZ 10/26",
        "legalBasis": "Court order",
        "jurisdiction": jurisdiction,
        "summary": "Facts of the case.",
        "targets": [TARGETS.get(kind, {"kind": "USERNAME", "value": "fraud_boss"})],
        **extra,
    }
    if kind in ("DATA_DISCLOSURE", "EMERGENCY_DISCLOSURE"):
        fields["dataCategories"] = ["IP_ADDRESSES"]
    return fields


def submit(gql: GraphQL, member: Member, **fields: Any) -> dict[str, Any]:
    answer = gql(SUBMIT, {"input": request_input(**fields)}, token=member.token)
    return answer["data"]["submitLegalRequest"]


def route(legal_request_id: str) -> Ticket:
    event = submitted_events().get(payload__legal_request_id=legal_request_id)
    outbox.outbox_deliver(event_id=event.pk)
    return Ticket.objects.select_related("team").get(legal_request_id=legal_request_id)


def stored(answer: dict[str, Any]) -> LegalRequest:
    assert answer["__typename"] == "LegalRequest", answer
    return LegalRequest.objects.get(submitted_at=parse_datetime(answer["submittedAt"]))


# Item 1: desk and deadline at receipt ---------------------------------------------------------


@pytest.mark.django_db
def test_the_answer_says_who_and_by_when(policy: None, authority: Member, gql: GraphQL) -> None:
    answer = submit(gql, authority, kind="CONTENT_REMOVAL", category="TERRORISM", jurisdiction="FR")
    assert answer["status"] == "RECEIVED"  # not yet routed, and still the answer knows
    assert answer["handlingTeam"] == {"name": "Counter-Terrorism Desk"}
    submitted = parse_datetime(answer["submittedAt"])
    assert parse_datetime(answer["dueAt"]) - submitted == timedelta(hours=1)
    assert answer["instrument"] == "TCO_REMOVAL_ORDER"
    legal_request = stored(answer)
    assert legal_request.policy_revision == str(PolicyRevision.objects.get(pk=1).token)
    assert (
        legal_request.routing_decision["team_id"]
        == Team.objects.get(name="Counter-Terrorism Desk").pk
    )


@pytest.mark.django_db
def test_a_policy_edit_after_submission_does_not_change_what_the_authority_was_told(
    policy: None, authority: Member, gql: GraphQL
) -> None:
    answer = submit(gql, authority, kind="DATA_DISCLOSURE", jurisdiction="FR")
    told_desk, told_due = answer["handlingTeam"]["name"], parse_datetime(answer["dueAt"])
    assert told_desk == "Law Enforcement Response (Europe)"
    # Staff edit the policy before the routing runs: a shorter clock, and another team first.
    LegalClock.objects.filter(kind="DATA_DISCLOSURE", category="").update(
        duration=timedelta(days=3)
    )
    fallback = Team.objects.get(is_fallback=True)
    RoutingRule.objects.create(position=1, name="Everything to the fallback", team=fallback)
    PolicyRevision.objects.filter(pk=1).update(token="00000000-0000-0000-0000-000000000001")

    legal_request = stored(answer)
    ticket = route(str(legal_request.pk))
    legal_request.refresh_from_db()
    assert ticket.team.desk_name == told_desk
    assert ticket.due_at == told_due == legal_request.due_at
    assert legal_request.handling_desk == told_desk
    assert legal_request.status == "ROUTED"
    # A request submitted now gets the new policy.
    later = submit(gql, authority, kind="DATA_DISCLOSURE", jurisdiction="FR")
    assert later["handlingTeam"]["name"] == fallback.desk_name
    assert parse_datetime(later["dueAt"]) - parse_datetime(later["submittedAt"]) == timedelta(
        days=3
    )


@pytest.fixture
def redis_down(tmp_path: Path) -> Any:
    """The portal pointed at a Redis that is not running."""
    server = RedisServer(tmp_path)
    server.start()
    saved = {
        name: getattr(settings, name)
        for name in ("REDIS_URL", "CELERY_BROKER_URL", "CACHES", "CHANNEL_LAYERS")
    }
    point_portal_at(server.url)
    server.stop()
    try:
        yield server
    finally:
        point_portal_at(saved["CELERY_BROKER_URL"])
        for name, value in saved.items():
            setattr(settings, name, value)


@pytest.mark.reliability
@pytest.mark.django_db(transaction=True)
def test_desk_and_deadline_are_in_the_answer_with_redis_down(
    policy: None, authority: Member, redis_down: RedisServer, gql: GraphQL
) -> None:
    answer = submit(gql, authority, kind="CONTENT_REMOVAL", category="TERRORISM", jurisdiction="FR")
    assert answer["handlingTeam"] == {"name": "Counter-Terrorism Desk"}
    assert parse_datetime(answer["dueAt"]) - parse_datetime(answer["submittedAt"]) == timedelta(
        hours=1
    )
    from liaison import submission

    legal_request = submission.legal_request_submit(
        actor=authority.actor,
        spec=submission.LegalRequestSpec(
            kind="EMERGENCY_DISCLOSURE",
            category="VIOLENCE",
            reference="EMG-1",
            legal_basis="18 U.S.C. 2702(b)(8) emergency disclosure",
            jurisdiction="US",
            summary="Threat to life.",
            targets=[submission.TargetSpec(kind="USERNAME", value="fraud_boss")],
            data_categories=["IP_ADDRESSES"],
        ),
    )
    legal_request.refresh_from_db()
    assert legal_request.status == "RECEIVED"
    assert legal_request.handling_desk == "Law Enforcement Response (Americas)"
    assert legal_request.due_at == legal_request.submitted_at + timedelta(hours=8)
    # The broker was down: the re-drive sends them later.
    assert not submitted_events().filter(enqueued_at__isnull=False).exists()


# Item 2: instruments --------------------------------------------------------------------------


def test_the_table_has_every_instrument_with_the_laws_clock() -> None:
    assert set(instruments.LEGAL_INSTRUMENTS) == set(LegalInstrument.values)
    law = {code: rule.clock for code, rule in instruments.LEGAL_INSTRUMENTS.items()}
    assert law[LegalInstrument.EU_EPOC] == timedelta(days=10)
    assert law[LegalInstrument.EU_EMERGENCY_EPOC] == timedelta(hours=8)
    assert law[LegalInstrument.TCO_REMOVAL_ORDER] == timedelta(hours=1)
    for rule in instruments.LEGAL_INSTRUMENTS.values():
        assert rule.clock_source
        assert rule.document_source
        assert rule.kinds
        assert rule.required_fields
        assert rule.accepted_legal_bases
        if rule.preserves:
            assert rule.retention_source
    assert instruments.LEGAL_INSTRUMENTS[LegalInstrument.EU_EPOC_PR].retention == timedelta(days=60)


@pytest.mark.parametrize(
    ("kind", "category", "country", "inferred"),
    [
        ("DATA_DISCLOSURE", "FRAUD", "DE", "EU_EPOC"),
        ("DATA_DISCLOSURE", "FRAUD", "DK", "NATIONAL_COURT_ORDER"),  # not bound by 2023/1543
        ("DATA_DISCLOSURE", "FRAUD", "US", "US_2703D_WARRANT"),
        ("EMERGENCY_DISCLOSURE", "VIOLENCE", "FR", "EU_EMERGENCY_EPOC"),
        ("EMERGENCY_DISCLOSURE", "VIOLENCE", "BR", "US_2702B8_EMERGENCY"),
        ("PRESERVATION", "FRAUD", "IT", "EU_EPOC_PR"),
        ("PRESERVATION", "FRAUD", "US", "US_2703F_PRESERVATION"),
        ("CONTENT_REMOVAL", "TERRORISM", "DE", "TCO_REMOVAL_ORDER"),
        ("CONTENT_REMOVAL", "ILLEGAL_GOODS", "DE", "DSA_ART9_ORDER"),
        ("CONTENT_REMOVAL", "TERRORISM", "GB", "NATIONAL_COURT_ORDER"),
        ("MODERATION_NOTICE", "CHILD_SAFETY", "DE", "TRUSTED_FLAGGER_NOTICE"),
    ],
)
@pytest.mark.django_db
def test_an_absent_instrument_is_inferred_and_the_guide_says_so(
    policy: None, authority: Member, gql: GraphQL, kind: str, category: str, country: str,
    inferred: str,
) -> None:  # fmt: skip
    answer = submit(gql, authority, kind=kind, category=category, jurisdiction=country)
    assert answer["instrument"] == inferred
    assert stored(answer).instrument_inferred
    guide = gql(GUIDE, {"kind": kind, "category": category, "jurisdiction": country})
    routing = guide["data"]["routingGuide"]
    assert routing["instrument"] == inferred
    assert routing["instrumentInferred"] is True
    assert routing["instrumentInference"].startswith(f"{kind}:")
    due = parse_datetime(answer["dueAt"]) - parse_datetime(answer["submittedAt"])
    assert routing["deadlineSeconds"] == due.total_seconds()


@pytest.mark.parametrize(
    ("instrument", "kind", "category", "country", "code"),
    [
        ("EU_EPOC", "DATA_DISCLOSURE", "FRAUD", "US", "instrument_jurisdiction"),
        ("EU_EPOC", "DATA_DISCLOSURE", "FRAUD", "DK", "instrument_jurisdiction"),
        ("US_2703F_PRESERVATION", "PRESERVATION", "FRAUD", "DE", "instrument_jurisdiction"),
        ("TCO_REMOVAL_ORDER", "CONTENT_REMOVAL", "FRAUD", "DE", "instrument_category"),
        ("EU_EPOC_PR", "DATA_DISCLOSURE", "FRAUD", "DE", "instrument_kind"),
        ("TRUSTED_FLAGGER_NOTICE", "CONTENT_REMOVAL", "TERRORISM", "DE", "instrument_kind"),
    ],
)
@pytest.mark.django_db
def test_an_instrument_that_does_not_fit_is_a_field_error(
    policy: None, authority: Member, gql: GraphQL, instrument: str, kind: str, category: str,
    country: str, code: str,
) -> None:  # fmt: skip
    answer = submit(
        gql, authority, kind=kind, category=category, jurisdiction=country, instrument=instrument
    )
    assert answer["__typename"] == "OperationInfo"
    assert [(m["field"], m["code"]) for m in answer["messages"]] == [("instrument", code)]
    assert not LegalRequest.objects.exists()
    guide = gql(
        GUIDE,
        {"kind": kind, "category": category, "jurisdiction": country, "instrument": instrument},
    )
    assert guide["data"] is None
    assert (
        "issued only by" in guide["errors"][0]["message"]
        or "is for" in guide["errors"][0]["message"]
        or "concerns" in guide["errors"][0]["message"]
    )


@pytest.mark.django_db
def test_the_law_caps_the_policy_clock(policy: None, authority: Member, gql: GraphQL) -> None:
    LegalClock.objects.filter(kind="DATA_DISCLOSURE", category="").update(
        duration=timedelta(days=20)
    )
    PolicyRevision.objects.filter(pk=1).update(token="00000000-0000-0000-0000-000000000002")
    epoc = submit(gql, authority, jurisdiction="DE", instrument="EU_EPOC")
    court = submit(gql, authority, jurisdiction="DE", instrument="NATIONAL_COURT_ORDER")

    def clock(answer: dict[str, Any]) -> timedelta:
        return parse_datetime(answer["dueAt"]) - parse_datetime(answer["submittedAt"])

    assert clock(epoc) == timedelta(days=10)  # Reg. (EU) 2023/1543, Art. 10(2)
    assert clock(court) == timedelta(days=20)  # no legal clock: the policy's
    assert route(str(stored(epoc).pk)).clock == timedelta(days=10)


@pytest.mark.django_db
def test_the_guide_tells_the_instruments_retention_and_document(
    policy: None, gql: GraphQL, client: Client
) -> None:
    routing = gql(
        GUIDE,
        {
            "kind": "PRESERVATION",
            "category": "FRAUD",
            "jurisdiction": "US",
            "instrument": "US_2703F_PRESERVATION",
        },
    )["data"]["routingGuide"]
    assert routing["instrumentInferred"] is False
    assert routing["documentRequired"] is False
    assert routing["retentionSeconds"] == 90 * 86400
    assert routing["extensionSeconds"] == 90 * 86400
    assert "2703(f)" in routing["clockSource"]
    tco = gql(GUIDE, {"kind": "CONTENT_REMOVAL", "category": "TERRORISM", "jurisdiction": "DE"})
    assert tco["data"]["routingGuide"]["retentionMonths"] == 6
    assert tco["data"]["routingGuide"]["documentRequired"] is True
    assert "document" in tco["data"]["routingGuide"]["requiredFields"]
    page = client.get(
        "/guide/",
        {"kind": "PRESERVATION", "category": "FRAUD", "country": "DE"},
    ).content.decode()
    assert "EU_EPOC_PR" in page
    assert "inferred" in page
    assert "Reg. (EU) 2021/784, Art. 3(3)" in page  # the table of every instrument
    bad = client.get(
        "/guide/",
        {"kind": "PRESERVATION", "category": "FRAUD", "country": "DE", "instrument": "MLAT"},
    )
    assert bad.context["answer"] is None
    assert bad.context["form"].errors["instrument"]
