"""Preservation (issue 10, item 4): preserving is a recorded act with `preservedUntil` (EU
EPOC-PR 60 days + 30 once, US 2703(f) 90 + 90 once, TCO removals 6 months); the authority
extends it once (`extendPreservation`); a reminder 7 days before expiry (webhook, e-mail,
subscription); a production request that names it keeps the data until it is answered; at
expiry it ends, audited, and the authority is told."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.actors import Actor
from core.graphql.ids import encode_global_id
from core.outbox.models import OutboxEvent
from core.outbox.services import outbox_deliver
from liaison import disclosure, documents, intake_signals, preservation, review
from liaison.audit import AuditAction
from liaison.models import AuditEntry, LegalRequest, Preservation, WebhookDelivery
from liaison.topics import EMAIL_NOTICE
from tests.conftest import GraphQL, Member
from tests.fixtures import Clock
from tests.liaison.conftest import analyse, route
from tests.signin import sign_in_staff

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SUBMIT = """
mutation Submit($input: SubmitLegalRequestInput!) {
  submitLegalRequest(input: $input) {
    __typename
    ... on LegalRequest { id status dueAt instrument preservedUntil }
    ... on OperationInfo { messages { kind field message code } }
  }
}
"""
READ = """query($id: ID!) { legalRequest(id: $id) {
  status preservedUntil
  preservation { instrument preservedAt preservedUntil extensions extendable heldForProduction
                 endedAt }
  timeline { event message } } }"""
EXTEND = """mutation($id: ID!) { extendPreservation(id: $id) {
  __typename
  ... on LegalRequest { preservedUntil preservation { extensions extendable } }
  ... on OperationInfo { messages { kind field message code } }
} }"""


def submit(gql: GraphQL, member: Member, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "kind": "PRESERVATION",
        "category": "FRAUD",
        "reference": "PRES-1",
        "legalBasis": "18 U.S.C. 2703(f) preservation request",
        "jurisdiction": "US",
        "summary": "Preserve the account while we obtain a warrant.",
        "targets": [{"kind": "USERNAME", "value": "fraud_boss"}],
    }
    base.update(fields)
    return gql(SUBMIT, {"input": base}, token=member.token)["data"]["submitLegalRequest"]


def request_of(answer: dict[str, Any]) -> LegalRequest:
    assert answer["__typename"] == "LegalRequest", answer
    from core.graphql.ids import decode_global_id, uuid_pk

    return LegalRequest.objects.get(pk=decode_global_id(answer["id"], "LegalRequest", uuid_pk))


def attach_order(member: Member, legal_request: LegalRequest) -> None:
    documents.legal_document_attach(
        actor=member.actor,
        legal_request_id=legal_request.pk,
        upload=SimpleUploadedFile("order.pdf", PDF, content_type="application/pdf"),
    )


def preserve(member: Member, staff: Actor, legal_request: LegalRequest) -> LegalRequest:
    """Staff work the request through review to FULFILLED: the preservation is recorded."""
    if legal_request.instrument in ("EU_EPOC_PR", "TCO_REMOVAL_ORDER"):
        attach_order(member, legal_request)
    legal_request = review.legal_request_start_review(
        actor=staff, legal_request=route(legal_request)
    )
    if intake_signals.is_held(legal_request):
        # A new token's first request is held for verification: the callback releases it.
        review.legal_request_record_callback(
            actor=staff, legal_request=legal_request, officer_name="SA Miller", confirmed=True
        )
    analyse(staff, legal_request)
    review.legal_request_approve(actor=staff, legal_request=legal_request)
    legal_request.refresh_from_db()
    return disclosure.legal_request_fulfil(actor=staff, legal_request=legal_request)


def read(gql: GraphQL, member: Member, legal_request: LegalRequest) -> dict[str, Any] | None:
    node_id = encode_global_id("LegalRequest", legal_request.pk)
    return gql(READ, {"id": node_id}, token=member.token)["data"]["legalRequest"]


def extend(gql: GraphQL, member: Member, legal_request: LegalRequest) -> dict[str, Any]:
    node_id = encode_global_id("LegalRequest", legal_request.pk)
    return gql(EXTEND, {"id": node_id}, token=member.token)["data"]["extendPreservation"]


def emails_delivered() -> None:
    for event in OutboxEvent.objects.filter(topic=EMAIL_NOTICE.name, delivered_at__isnull=True):
        outbox_deliver(event_id=event.pk)


def audited(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action))


@pytest.fixture
def clock() -> Iterator[Clock]:
    """`django.utils.timezone.now`, frozen and moved by the test."""
    frozen = Clock(timezone.now())
    with mock.patch("django.utils.timezone.now", side_effect=lambda: frozen.now):
        yield frozen


@pytest.fixture
def with_webhook(authority: Member) -> Member:
    organization = authority.organization
    organization.webhook_url = "https://hooks.example.org/liaison"
    organization.webhook_secret = "whsec-test"
    organization.contact_email = "duty@polizei.example"
    organization.save()
    return authority


@pytest.mark.django_db
def test_a_us_preservation_from_submission_through_extension_to_expiry(
    with_webhook: Member, staff_one: Actor, gql: GraphQL, clock: Clock
) -> None:
    authority = with_webhook
    answer = submit(gql, authority)
    assert answer["instrument"] == "US_2703F_PRESERVATION"
    assert answer["preservedUntil"] is None  # not preserved yet
    legal_request = request_of(answer)
    assert extend(gql, authority, legal_request)["messages"][0]["code"] == "not_preserved"

    preserved_at = clock.advance(hours=3)
    preserve(authority, staff_one, legal_request)
    seen = read(gql, authority, legal_request)
    assert seen is not None
    assert seen["status"] == "FULFILLED"
    until = preserved_at + timedelta(days=90)  # 18 U.S.C. 2703(f)(2)
    assert parse_datetime(seen["preservedUntil"]) == until
    assert seen["preservation"]["extendable"] is True
    assert any("preserved until" in entry["message"] for entry in seen["timeline"])
    assert [entry.details["legal_request_id"] for entry in audited(AuditAction.PRESERVED)] == [
        str(legal_request.pk)
    ]

    # The authority renews it once: another 90 days; a second renewal is refused.
    clock.advance(days=80)
    extended = extend(gql, authority, legal_request)
    assert parse_datetime(extended["preservedUntil"]) == until + timedelta(days=90)
    assert extended["preservation"] == {"extensions": 1, "extendable": False}
    again = extend(gql, authority, legal_request)
    assert again["__typename"] == "OperationInfo"
    assert [(m["field"], m["code"]) for m in again["messages"]] == [("id", "already_extended")]
    assert Preservation.objects.get().preserved_until == until + timedelta(days=90)
    until += timedelta(days=90)

    # Seven days before the end: one reminder, by webhook, e-mail and on the timeline.
    assert preservation.preservation_sweep(now=until - timedelta(days=7, seconds=1)).reminded == 0
    assert preservation.preservation_sweep(now=until - timedelta(days=7)).reminded == 1
    assert preservation.preservation_sweep(now=until - timedelta(days=6)).reminded == 0
    assert WebhookDelivery.objects.filter(event=preservation.EVENT_REMINDER).count() == 1
    emails_delivered()
    [reminder] = [m for m in mail.outbox if "ends on" in m.subject]
    assert "fraud_boss" not in reminder.body  # no case details by e-mail
    assert reminder.to == ["duty@polizei.example"]

    # At the end: the preservation ends, is audited, and the authority is told.
    report = preservation.preservation_sweep(now=until)
    assert (report.ended, report.held) == (1, 0)
    assert preservation.preservation_sweep(now=until + timedelta(hours=1)).ended == 0
    seen = read(gql, authority, legal_request)
    assert seen is not None
    assert parse_datetime(seen["preservation"]["endedAt"]) == until
    assert any("ended" in entry["message"] for entry in seen["timeline"])
    [ended] = audited(AuditAction.PRESERVATION_ENDED)
    assert ended.details["extensions"] == 1
    assert WebhookDelivery.objects.filter(event=preservation.EVENT_ENDED).count() == 1
    assert extend(gql, authority, legal_request)["messages"][0]["code"] == "preservation_ended"
    # Staff see it in admin (read-only).
    browser = sign_in_staff(Client(), staff_one.user)
    page = browser.get("/admin/liaison/preservation/")
    assert page.status_code == 200
    assert "PRES-1" in page.content.decode()


@pytest.mark.django_db
def test_an_eu_preservation_is_60_days_and_30_more_once(
    authority: Member, staff_one: Actor, gql: GraphQL, clock: Clock
) -> None:
    answer = submit(gql, authority, jurisdiction="DE", legalBasis="EPOC-PR of StA Berlin")
    assert answer["instrument"] == "EU_EPOC_PR"
    legal_request = request_of(answer)
    preserve(authority, staff_one, legal_request)
    seen = read(gql, authority, legal_request)
    assert seen is not None
    until = parse_datetime(seen["preservedUntil"])
    assert until == clock.now + timedelta(days=60)  # Reg. (EU) 2023/1543, Art. 11(1)
    extended = extend(gql, authority, legal_request)
    assert parse_datetime(extended["preservedUntil"]) == until + timedelta(days=30)
    assert extend(gql, authority, legal_request)["messages"][0]["code"] == "already_extended"


@pytest.mark.django_db
def test_a_preservation_past_its_end_is_not_extendable_before_the_sweep_ends_it(
    authority: Member, staff_one: Actor, gql: GraphQL, clock: Clock
) -> None:
    """`extendable` is the service's own rule: past `preservedUntil` the data is gone, even in
    the minutes before the sweep records the end."""
    legal_request = request_of(
        submit(gql, authority, jurisdiction="DE", legalBasis="EPOC-PR of StA Berlin")
    )
    preserve(authority, staff_one, legal_request)
    clock.advance(days=60)
    seen = read(gql, authority, legal_request)
    assert seen is not None
    assert seen["preservation"]["endedAt"] is None  # the sweep has not run
    assert seen["preservation"]["extendable"] is False
    assert extend(gql, authority, legal_request)["messages"][0]["code"] == "preservation_ended"


@pytest.mark.django_db
def test_a_tco_removal_keeps_the_content_six_months_without_extension(
    authority: Member, staff_one: Actor, gql: GraphQL, clock: Clock
) -> None:
    answer = submit(
        gql,
        authority,
        kind="CONTENT_REMOVAL",
        category="TERRORISM",
        jurisdiction="FR",
        legalBasis="Removal order (Reg. (EU) 2021/784, Art. 3)",
        targets=[{"kind": "MESSAGE_LINK", "value": "https://t.me/bad_channel/42"}],
    )
    legal_request = request_of(answer)
    clock.now = clock.now.replace(month=1, day=31, hour=12)
    preserve(authority, staff_one, legal_request)
    seen = read(gql, authority, legal_request)
    assert seen is not None
    # Reg. (EU) 2021/784, Art. 6(2): six calendar months from the removal.
    assert parse_datetime(seen["preservedUntil"]) == clock.now.replace(month=7, day=31)
    refused = extend(gql, authority, legal_request)
    assert refused["messages"][0]["code"] == "not_extendable"
    # Not "never longer": Art. 6(2) keeps it for review proceedings on a specified request.
    assert "administrative or judicial review proceedings" in refused["messages"][0]["message"]


@pytest.mark.django_db
def test_a_production_request_that_names_the_preservation_keeps_the_data_until_answered(
    authority: Member, other_authority: Member, staff_one: Actor, gql: GraphQL, clock: Clock
) -> None:
    legal_request = request_of(submit(gql, authority))
    preserve(authority, staff_one, legal_request)
    until = Preservation.objects.get().preserved_until
    production = {
        "kind": "DATA_DISCLOSURE",
        "reference": "PROD-1",
        "legalBasis": "18 U.S.C. 2703(d) court order",
        "dataCategories": ["IP_ADDRESSES"],
        "preservationId": encode_global_id("LegalRequest", legal_request.pk),
    }
    # Another organization cannot name it: "not found", nothing stored.
    foreign = submit(gql, other_authority, **production)
    assert [(m["field"], m["code"]) for m in foreign["messages"]] == [
        ("preservationId", "not_found")
    ]
    garbage = submit(gql, authority, **{**production, "preservationId": "nonsense"})
    assert garbage["messages"][0]["field"] == "preservationId"
    assert LegalRequest.objects.count() == 1

    production_request = request_of(submit(gql, authority, **production))
    seen = read(gql, authority, legal_request)
    assert seen is not None
    assert seen["preservation"]["heldForProduction"] is True
    # Past the retention, the data stays while the production request is open ...
    report = preservation.preservation_sweep(now=until + timedelta(days=1))
    assert (report.ended, report.held) == (1 - 1, 1)
    assert Preservation.objects.get().ended_at is None
    # ... and ends once it is answered (here: withdrawn).
    review.legal_request_withdraw(actor=authority.actor, legal_request=production_request)
    assert preservation.preservation_sweep(now=until + timedelta(days=2)).ended == 1
    assert audited(AuditAction.PRESERVATION_HELD)


@pytest.mark.django_db
def test_another_organizations_preservation_is_not_found(
    authority: Member, other_authority: Member, staff_one: Actor, gql: GraphQL
) -> None:
    legal_request = request_of(submit(gql, authority))
    preserve(authority, staff_one, legal_request)
    refused = extend(gql, other_authority, legal_request)
    assert [(m["field"], m["code"]) for m in refused["messages"]] == [("id", "not_found")]
    assert read(gql, other_authority, legal_request) is None
    assert Preservation.objects.get().extensions == 0


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_reminder_reaches_the_authoritys_subscription(
    authority: Member, staff_one: Actor
) -> None:
    from channels.db import database_sync_to_async

    from liaison import submission
    from tests.liaison.test_subscriptions import subscribe

    def preserved() -> Preservation:
        legal_request = submission.legal_request_submit(
            actor=authority.actor,
            spec=submission.LegalRequestSpec(
                kind="PRESERVATION",
                category="FRAUD",
                reference="PRES-LIVE",
                legal_basis="18 U.S.C. 2703(f) preservation request",
                jurisdiction="US",
                summary="Preserve.",
                targets=[submission.TargetSpec(kind="USERNAME", value="fraud_boss")],
            ),
        )
        preserve(authority, staff_one, legal_request)
        return Preservation.objects.get()

    live = await subscribe(authority)
    record = await database_sync_to_async(preserved)()
    while not await live.receive_nothing(timeout=0.5):  # the status changes so far
        await live.receive_json_from(timeout=1)
    report = await database_sync_to_async(preservation.preservation_sweep)(
        now=record.preserved_until - timedelta(days=7)
    )
    assert report.reminded == 1
    message = await live.receive_json_from(timeout=5)
    assert message["type"] == "next", message
    assert message["payload"]["data"]["legalRequestUpdates"]["reference"] == "PRES-LIVE"
    await live.disconnect()
