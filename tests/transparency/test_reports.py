"""Daily transparency reports: aggregated in SQL, published once (catching up missed days),
immutable, signed with the published key, anchoring the audit log; and `transparencyReport`."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from core.actors import Actor
from liaison import review
from liaison.audit import audit_head, audit_record, audit_seal, audit_verify, canonical_json
from liaison.models import AuditEntry, LegalRequest
from switchboard.models import Ticket
from switchboard.tickets import ticket_acknowledge, ticket_open_for_request
from tests.conftest import GraphQL, Member
from tests.factories import LegalRequestFactory, NgoFactory, OrganizationFactory
from tests.fixtures import Clock
from tests.liaison.conftest import analyse, submit
from transparency.models import DailyReport, DailyReportRow
from transparency.services import daily_report_generate, daily_reports_catch_up

REPORT = """query($start: Date!, $end: Date!, $j: String) {
  transparencyReport(periodStart: $start, periodEnd: $end, jurisdiction: $j) {
    periodStart periodEnd generatedAt
    rows { jurisdiction kind category received fulfilled rejected withdrawn open accountsAffected
           medianSecondsToAcknowledge medianSecondsToAct acted withinDeadline shareWithinDeadline
           breaches trustedFlaggerNotices rejectedByReason { reason count } } } }"""

NOON = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def at(day_offset: int, hour: int = 12) -> datetime:
    return NOON.replace(hour=hour) + timedelta(days=day_offset)


def submit_now(member: Member, clock: Clock, **overrides: Any) -> LegalRequest:
    """Submit through the service, received at the injected clock's time (the model's default
    was bound to the real `timezone.now` at import, so the test moves the receipt itself)."""
    legal_request = submit(member, **overrides)
    LegalRequest.objects.filter(pk=legal_request.pk).update(submitted_at=clock.now)
    legal_request.refresh_from_db()
    return legal_request


def disclosure_walk(
    member: Member, clock: Clock, first: Actor, second: Actor, **overrides: Any
) -> LegalRequest:
    """Submit, route (ticket), acknowledge after 10 minutes, review, approve twice and fulfil
    after 2 hours: every step through the services, on the injected clock."""
    from liaison.disclosure import legal_request_fulfil

    legal_request = submit_now(member, clock, **overrides)
    ticket_open_for_request(legal_request_id=legal_request.pk, now=clock.now)
    clock.advance(minutes=10)
    ticket_acknowledge(
        ticket=Ticket.objects.get(legal_request=legal_request), actor=first, now=clock.now
    )
    legal_request.refresh_from_db()
    review.legal_request_start_review(actor=first, legal_request=legal_request)
    analyse(first, legal_request)
    review.legal_request_approve(actor=first, legal_request=legal_request)
    review.legal_request_approve(actor=second, legal_request=legal_request)
    clock.advance(minutes=110)
    legal_request.refresh_from_db()
    return legal_request_fulfil(actor=second, legal_request=legal_request)


@pytest.mark.django_db
def test_the_daily_job_is_idempotent_and_catches_up_missed_days() -> None:
    organization = OrganizationFactory()
    for offset in (0, 0, 2):
        LegalRequestFactory(organization=organization, submitted_at=at(offset))
    LegalRequestFactory(organization=organization, submitted_at=at(2), jurisdiction="FR")

    # 00:10 after the first day: only that day.
    assert daily_reports_catch_up(now=at(1, hour=0) + timedelta(minutes=10)) == [date(2026, 11, 20)]
    # The job missed two nights: the next run publishes both missed days, oldest first.
    published = daily_reports_catch_up(now=at(3, hour=0) + timedelta(minutes=10))
    assert published == [date(2026, 11, 21), date(2026, 11, 22)]
    before = list(DailyReport.objects.order_by("day").values())
    rows_before = list(DailyReportRow.objects.order_by("id").values())

    # Running again (same night, later, or twice at once) changes nothing.
    assert daily_reports_catch_up(now=at(3, hour=0) + timedelta(minutes=11)) == []
    assert daily_report_generate(day=date(2026, 11, 20), now=at(5)).pk == before[0]["id"]
    assert list(DailyReport.objects.order_by("day").values()) == before
    assert list(DailyReportRow.objects.order_by("id").values()) == rows_before

    by_day = {(r.day, r.jurisdiction): r.received for r in DailyReportRow.objects.all()}
    assert by_day == {
        (date(2026, 11, 20), "DE"): 2,
        (date(2026, 11, 22), "DE"): 1,
        (date(2026, 11, 22), "FR"): 1,
    }
    assert DailyReport.objects.get(day=date(2026, 11, 21)).rows.count() == 0
    with pytest.raises(ValueError, match="has not ended"):
        daily_report_generate(day=date(2026, 11, 23), now=at(3))


@pytest.mark.django_db
def test_a_published_report_is_immutable() -> None:
    LegalRequestFactory(submitted_at=at(0))
    report = daily_report_generate(day=date(2026, 11, 20), now=at(1))
    for statement in (
        "UPDATE transparency_dailyreport SET document = '{}'",
        "DELETE FROM transparency_dailyreportrow",
        "DELETE FROM transparency_dailyreport",
    ):
        with (
            pytest.raises(DatabaseError, match="immutable"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert DailyReport.objects.get(pk=report.pk).document == report.document


@pytest.mark.django_db
def test_the_signed_report_verifies_with_the_published_key(
    client: Any,
    policy: None,
    authority: Member,
    clock: Clock,
    staff_one: Actor,
    staff_two: Actor,
    accounts: Any,
) -> None:
    clock.now = at(0, hour=9)
    disclosure_walk(authority, clock, staff_one, staff_two)
    report = daily_report_generate(day=date(2026, 11, 20), now=at(1, hour=0))

    key = client.get("/.well-known/liaison-signing-key").json()
    response = client.get("/transparency/reports/2026-11-20.json")
    assert response.status_code == 200
    body = response.json()
    assert body["key_id"] == key["key_id"] == body["report"]["key_id"]
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key["public_key"]))
    public.verify(
        base64.b64decode(body["signature"]), canonical_json(body["report"])
    )  # raises if not
    assert canonical_json(body["report"]).decode() == report.document

    (row,) = body["report"]["rows"]
    assert row["jurisdiction"] == "DE"
    assert row["kind"] == "DATA_DISCLOSURE"
    assert (row["received"], row["fulfilled"], row["open"], row["acted"]) == (1, 1, 0, 1)
    assert row["accounts_affected"] == 1  # fraud_boss, whose package held records
    assert row["median_seconds_to_acknowledge"] == 600
    assert row["median_seconds_to_act"] == 2 * 3600
    assert row["within_deadline"] == 1
    assert row["share_within_deadline"] == "1.0000"
    assert body["report"]["audit_head"] == {
        "seq": report.audit_head_seq,
        "hash": report.audit_head_hash,
    }
    assert report.audit_head_seq == audit_head().seq > 0

    # A tampered document does not verify.
    tampered = {**body["report"], "rows": [{**row, "received": 0}]}
    with pytest.raises(InvalidSignature):
        public.verify(base64.b64decode(body["signature"]), canonical_json(tampered))
    assert client.get("/transparency/reports/2026-11-21.json").status_code == 404
    assert client.get("/transparency/reports/2026-13-45.json").status_code == 404


def cut_from_the_end(keep_through_seq: int) -> None:
    """Someone with database access switches the guards off and deletes the newest entries, and
    the signed tree heads that would betray them: only a head published outside the database
    (the transparency report) is left to tell."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE liaison_auditentry DISABLE TRIGGER liaison_audit_append_only")
        cursor.execute("DELETE FROM liaison_auditentry WHERE seq > %s", [keep_through_seq])
        cursor.execute("ALTER TABLE liaison_auditentry ENABLE TRIGGER liaison_audit_append_only")
        cursor.execute(
            "ALTER TABLE liaison_audittreehead DISABLE TRIGGER liaison_audit_head_append_only"
        )
        cursor.execute("DELETE FROM liaison_audittreehead WHERE tree_size > %s", [keep_through_seq])
        cursor.execute(
            "ALTER TABLE liaison_audittreehead ENABLE TRIGGER liaison_audit_head_append_only"
        )


@pytest.mark.django_db
def test_audit_verify_detects_entries_cut_from_the_end_after_a_published_head(
    policy: None,
    authority: Member,
    clock: Clock,
    staff_one: Actor,
    staff_two: Actor,
    accounts: Any,
) -> None:
    clock.now = at(0, hour=9)
    disclosure_walk(authority, clock, staff_one, staff_two)
    report = daily_report_generate(day=date(2026, 11, 20), now=at(1, hour=0))
    head = report.audit_head_seq
    assert head == AuditEntry.objects.count()
    assert head > 3
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert f"{head} entries" in out.getvalue()

    cut_from_the_end(head - 2)
    # Without the anchor the shorter chain is consistent; the published head says otherwise.
    checked, broken = audit_verify()
    assert checked == head - 2
    assert broken is not None
    assert broken.seq == head
    assert "cut from the end" in broken.reason
    assert "2026-11-20" in broken.reason
    with pytest.raises(CommandError, match=f"#{head}"):
        call_command("audit_verify", stdout=StringIO())


@pytest.mark.django_db
def test_a_replaced_head_is_detected_too(authority: Member) -> None:
    LegalRequestFactory(organization=authority.organization, submitted_at=at(0))
    audit_record(actor=None, action="test.entry", object_type="Test", object_id=0)
    audit_record(actor=None, action="test.entry", object_type="Test", object_id=1)
    report = daily_report_generate(day=date(2026, 11, 20), now=at(1))
    cut_from_the_end(report.audit_head_seq - 1)
    audit_record(actor=None, action="test.entry", object_type="Test", object_id=2)
    audit_seal()  # the new entry takes the published head's place, with another hash
    _, broken = audit_verify()
    assert broken is not None
    assert "the chain does not hold the head #3 published in the transparency report" in (
        broken.reason
    )


@pytest.mark.django_db
def test_counts_appear_in_transparency_report_live_and_from_published_days(
    gql: GraphQL, authority: Member, clock: Clock
) -> None:
    # The live answer is cached per minute of `now`: start early in a minute (and not in the
    # day's last one), so that the second below stays in the minute and the 61 s cross it.
    clock.now = clock.now.replace(minute=min(clock.now.minute, 58), second=5, microsecond=0)
    ngo_org = NgoFactory(country="FR")
    today = clock.now.astimezone(UTC).date()
    period = {"start": str(today - timedelta(days=1)), "end": str(today)}
    LegalRequestFactory(
        organization=authority.organization, submitted_at=clock.now - timedelta(days=1)
    )
    assert daily_reports_catch_up(now=clock.now) == [today - timedelta(days=1)]

    # A new request today, through the API: counted at once (today is live).
    submitted = gql(
        """mutation($input: SubmitLegalRequestInput!) { submitLegalRequest(input: $input) {
             ... on LegalRequest { id } ... on OperationInfo { messages { field message } } } }""",
        {
            "input": {
                "kind": "DATA_DISCLOSURE",
                "category": "FRAUD",
                "reference": "AZ-SECRET-77",
                "legalBasis": "Court order, AG Berlin",
                "jurisdiction": "DE",
                "summary": "Investment fraud.",
                "targets": [{"kind": "USERNAME", "value": "fraud_boss"}],
                "dataCategories": ["IP_ADDRESSES"],
            }
        },
        token=authority.token,
    )
    assert "id" in submitted["data"]["submitLegalRequest"], submitted
    LegalRequestFactory(
        organization=ngo_org,
        kind="MODERATION_NOTICE",
        category="CHILD_SAFETY",
        jurisdiction="FR",
        submitted_at=clock.now,
        data_categories=[],
    )

    answer = gql(REPORT, period)
    report = answer["data"]["transparencyReport"]
    assert report["periodStart"] == period["start"]
    assert report["periodEnd"] == period["end"]
    rows = {(r["jurisdiction"], r["kind"]): r for r in report["rows"]}
    assert rows[("DE", "DATA_DISCLOSURE")]["received"] == 2  # one published, one live
    assert rows[("DE", "DATA_DISCLOSURE")]["open"] == 2
    assert rows[("FR", "MODERATION_NOTICE")]["trustedFlaggerNotices"] == 1

    # One country only; and the identifying inputs appear nowhere in the answer.
    only_fr = gql(REPORT, {**period, "j": "fr"})
    assert {r["jurisdiction"] for r in only_fr["data"]["transparencyReport"]["rows"]} == {"FR"}
    text = json.dumps(answer)
    for secret in ("AZ-SECRET-77", "fraud_boss", authority.organization.name, ngo_org.name):
        assert secret not in text

    # Cached for at most a minute: a request a second later shows in the next minute.
    LegalRequestFactory(organization=authority.organization, submitted_at=clock.now)
    clock.advance(seconds=1)
    cached = gql(REPORT, period)
    assert cached == answer
    clock.advance(seconds=60)
    fresh = gql(REPORT, period)
    fresh_rows = {
        (r["jurisdiction"], r["kind"]): r for r in fresh["data"]["transparencyReport"]["rows"]
    }
    assert fresh_rows[("DE", "DATA_DISCLOSURE")]["received"] == 3


@pytest.mark.django_db
def test_period_medians_are_over_all_samples_of_the_period(
    policy: None,
    authority: Member,
    clock: Clock,
    staff_one: Actor,
    staff_two: Actor,
    accounts: Any,
    settings: Any,
) -> None:
    from transparency.selectors import transparency_report_get

    settings.TRANSPARENCY_LIVE_CACHE_SECONDS = 0
    clock.now = at(0, hour=9)
    disclosure_walk(authority, clock, staff_one, staff_two)  # acts after 2 h
    clock.now = at(0, hour=13)
    disclosure_walk(authority, clock, staff_one, staff_two)  # 2 h
    clock.now = at(1, hour=9)
    disclosure_walk(authority, clock, staff_one, staff_two)  # 2 h, published next day
    daily_reports_catch_up(now=at(2, hour=0))
    clock.now = at(2, hour=9)
    legal_request = submit_now(authority, clock)  # today, live: rejected after 8 h
    ticket_open_for_request(legal_request_id=legal_request.pk, now=clock.now)
    legal_request.refresh_from_db()
    review.legal_request_start_review(actor=staff_one, legal_request=legal_request)
    clock.advance(hours=8)
    review.legal_request_reject(
        actor=staff_one, legal_request=legal_request, reason_code="DISPROPORTIONATE"
    )
    report = transparency_report_get(
        period_start=date(2026, 11, 20), period_end=date(2026, 11, 22), now=clock.now
    )
    (row,) = report.rows
    assert (row.received, row.fulfilled, row.rejected, row.acted) == (4, 3, 1, 4)
    assert row.rejected_by_reason == {"DISPROPORTIONATE": 1}
    assert row.median_seconds_to_act == 2 * 3600  # samples 2 h, 2 h, 2 h, 8 h
    assert row.accounts_affected == 2  # fraud_boss, counted per day (days 20 and 21)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end", "field", "code"),
    [
        ("2026-11-20", "2026-11-19", "periodEnd", "invalid"),
        ("2025-11-18", "2026-11-19", "periodEnd", "period_too_long"),
        ("2099-01-01", "2099-01-02", "periodStart", "future"),
    ],
)
def test_a_bad_period_is_a_clear_error(
    gql: GraphQL, start: str, end: str, field: str, code: str
) -> None:
    answer = gql(REPORT, {"start": start, "end": end})
    assert answer["data"] is None
    (error,) = answer["errors"]
    assert error["extensions"] == {"field": field, "code": code}
    assert "period" in error["message"].lower()


@pytest.mark.django_db
def test_366_days_are_allowed_and_bad_input_is_refused(gql: GraphQL) -> None:
    ok = gql(REPORT, {"start": "2025-11-20", "end": "2026-11-20"})
    assert ok["data"]["transparencyReport"]["rows"] == []
    country = gql(REPORT, {"start": "2026-11-19", "end": "2026-11-20", "j": "XX"})
    assert country["errors"][0]["extensions"] == {
        "field": "jurisdiction",
        "code": "invalid_country",
    }
    not_a_date = gql(REPORT, {"start": "2026-02-30", "end": "2026-11-20"})
    assert not_a_date["data"] is None
    assert not_a_date["errors"]


IDENTIFYING = (
    "reference",
    "target",
    "organization",
    "requestid",
    "legalrequest",
    "id",
    "slug",
    "name",
    "email",
)


@pytest.mark.django_db
def test_no_field_names_a_request_reference_target_or_organization(gql: GraphQL) -> None:
    answer = gql(
        """{ report: __type(name: "TransparencyReport") { fields { name } }
             row: __type(name: "TransparencyReportRow") { fields { name } }
             reason: __type(name: "RejectionCount") { fields { name } } }"""
    )
    names = [f["name"].lower() for t in answer["data"].values() for f in t["fields"]]
    assert "received" in names
    identifying = [
        name
        for name in names
        for word in IDENTIFYING
        if name == word or (word != "id" and word in name)
    ]
    assert identifying == []
