"""Statements of reasons to the DSA Transparency Database, against a local stand-in HTTP
server that applies its rules (batches of 100, all-or-nothing 422, unique puid, 429)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from core.actors import Actor
from core.outbox.models import OutboxEvent
from core.outbox.services import DeliveryFailed
from liaison import review
from liaison.models import LegalRequest, RequestStatus, TargetKind
from liaison.submission import TargetSpec
from tests.conftest import Member
from tests.factories import LegalRequestFactory, NgoFactory, OrganizationFactory
from tests.liaison.conftest import analyse, submit
from tests.realthings import RedisServer, Worker, point_portal_at, wait_for
from tests.transparency.tdb_standin import StandIn, running_standin
from transparency.models import StatementOfReasons
from transparency.statements import statement_build, statement_of_reasons_record, statements_send

S = StatementOfReasons.State


def executed_removal(**overrides: Any) -> LegalRequest:
    fields: dict[str, Any] = {
        "kind": "CONTENT_REMOVAL",
        "category": "TERRORISM",
        "status": RequestStatus.FULFILLED,
        "data_categories": [],
        "reference": "SECRET-REF-1",
        "fulfilled_at": timezone.now(),
        "targets": [(TargetKind.MESSAGE_LINK, "https://t.example/c/secret_channel/1")],
        **overrides,
    }
    return LegalRequestFactory(**fields)


@pytest.fixture
def standin(settings: Any) -> Iterator[StandIn]:
    with running_standin() as server:
        settings.DSA_TDB_URL, settings.DSA_TDB_TOKEN = server.url, server.token
        yield server


@pytest.mark.django_db
def test_a_statement_is_in_the_databases_schema_and_names_nobody() -> None:
    order = executed_removal(organization=OrganizationFactory(name="Secret Police", country="DE"))
    statement = statement_build(order)
    assert statement["decision_ground"] == "DECISION_GROUND_ILLEGAL_CONTENT"
    assert statement["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    assert statement["category"] == "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY"
    assert "2021/784" in statement["illegal_content_legal_ground"]
    assert statement["illegal_content_explanation"]
    assert statement["content_type"] == ["CONTENT_TYPE_TEXT"]
    assert statement["territorial_scope"] == ["DE"]
    assert statement["source_type"] == "SOURCE_TYPE_OTHER_NOTIFICATION"
    assert statement["automated_detection"] == "No"
    assert statement["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"
    assert statement["puid"] == f"liaison-{order.pk}"
    assert statement["content_date"] == order.submitted_at.date().isoformat()
    assert statement["application_date"] == order.fulfilled_at.date().isoformat()
    text = json.dumps(statement)
    for secret in ("SECRET-REF", "secret_channel", "Secret Police"):
        assert secret not in text

    notice = executed_removal(
        organization=NgoFactory(), kind="MODERATION_NOTICE", category="CHILD_SAFETY",
        targets=[(TargetKind.USERNAME, "someone")],
    )  # fmt: skip
    flagged = statement_build(notice)
    assert flagged["source_type"] == "SOURCE_TRUSTED_FLAGGER"
    assert flagged["category"] == "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"
    assert flagged["content_type"] == ["CONTENT_TYPE_OTHER"]
    assert flagged["content_type_other"]


@pytest.mark.django_db
def test_only_executed_removals_get_one_statement() -> None:
    order = executed_removal()
    assert statement_of_reasons_record(legal_request_id=order.pk) is not None
    assert statement_of_reasons_record(legal_request_id=order.pk) is not None  # again: same one
    assert StatementOfReasons.objects.count() == 1
    kicks = OutboxEvent.objects.filter(topic="transparency.dsa_tdb_send")
    assert kicks.count() == 1
    disclosure = LegalRequestFactory(status=RequestStatus.FULFILLED)
    pending_removal = executed_removal(status=RequestStatus.UNDER_REVIEW)
    us_court_order = executed_removal(jurisdiction="US")  # not a DSA or TCO order
    for other in (disclosure, pending_removal, us_court_order):
        assert statement_of_reasons_record(legal_request_id=other.pk) is None
    assert StatementOfReasons.objects.count() == 1


@pytest.mark.django_db
def test_batches_of_at_most_100_each_stored_once(standin: StandIn) -> None:
    for _ in range(150):
        statement_of_reasons_record(legal_request_id=executed_removal().pk)
    result = statements_send()
    assert (result.batches, result.delivered) == (2, 150)
    assert standin.requests == [(100, 201), (50, 201)]
    assert len(standin.stored) == 150
    assert StatementOfReasons.objects.filter(state=S.DELIVERED).count() == 150
    assert statements_send().batches == 0  # nothing left: nothing sent twice
    assert len(standin.requests) == 2


@pytest.mark.django_db
def test_a_429_changes_nothing_and_the_next_delivery_sends(standin: StandIn) -> None:
    statement_of_reasons_record(legal_request_id=executed_removal().pk)
    standin.rate_limited = 1
    with pytest.raises(DeliveryFailed, match="429"):
        statements_send()
    statement = StatementOfReasons.objects.get()
    assert (statement.state, statement.attempts) == (S.PENDING, 1)
    assert "429" in statement.error
    assert statements_send().delivered == 1
    assert standin.requests == [(1, 429), (1, 201)]
    assert list(standin.stored) == [statement.puid]


@pytest.mark.django_db
def test_a_duplicate_is_delivered_and_a_bad_statement_refused_alone(standin: StandIn) -> None:
    records = [
        statement_of_reasons_record(legal_request_id=executed_removal().pk) for _ in range(4)
    ]
    assert all(records)
    # The database already holds the first (its answer was lost), and the third is invalid.
    standin.stored[records[0].puid] = records[0].statement
    StatementOfReasons.objects.filter(pk=records[2].pk).update(
        statement={**records[2].statement, "category": "STATEMENT_CATEGORY_BOGUS"}
    )
    result = statements_send()
    assert (result.delivered, result.refused) == (3, 1)
    assert standin.requests == [(4, 422), (2, 201)]  # all-or-nothing, then the valid ones
    states = {r.pk: r.state for r in StatementOfReasons.objects.all()}
    assert [states[r.pk] for r in records] == [S.DELIVERED, S.DELIVERED, S.REFUSED, S.DELIVERED]
    refused = StatementOfReasons.objects.get(pk=records[2].pk)
    assert "category" in refused.error
    assert sorted(standin.stored) == sorted([records[0].puid, records[1].puid, records[3].puid])


@pytest.mark.django_db
def test_statements_left_waiting_get_a_new_send_every_hour(standin: StandIn) -> None:
    from core.outbox.models import OutboxEvent
    from transparency.tasks import resend_pending_statements_task

    statement_of_reasons_record(legal_request_id=executed_removal().pk)
    kick = OutboxEvent.objects.get(topic="transparency.dsa_tdb_send")
    assert resend_pending_statements_task() is False  # the first send is on its way
    # It ran out of attempts (the database was down for hours): dead-lettered.
    OutboxEvent.objects.filter(pk=kick.pk).update(dead_lettered_at=timezone.now())
    assert resend_pending_statements_task() is True
    assert OutboxEvent.objects.filter(topic="transparency.dsa_tdb_send").count() == 2
    assert resend_pending_statements_task() is False  # that one is on its way now
    statements_send()
    OutboxEvent.objects.filter(topic="transparency.dsa_tdb_send").update(
        delivered_at=timezone.now()
    )
    assert resend_pending_statements_task() is False  # nothing waits
    assert StatementOfReasons.objects.get().state == S.DELIVERED


@pytest.mark.django_db
def test_off_while_the_url_is_unset(settings: Any) -> None:
    settings.DSA_TDB_URL = ""
    statement_of_reasons_record(legal_request_id=executed_removal().pk)
    assert statements_send().batches == 0
    assert StatementOfReasons.objects.get().state == S.PENDING


# --- with a real Celery worker --------------------------------------------------------------


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    saved = {
        name: getattr(settings, name)
        for name in ("REDIS_URL", "CELERY_BROKER_URL", "CACHES", "CHANNEL_LAYERS")
    }
    point_portal_at(server.url)
    try:
        yield server
    finally:
        point_portal_at(saved["CELERY_BROKER_URL"])
        for name, value in saved.items():
            setattr(settings, name, value)
        server.stop()


@pytest.fixture
def tdb_worker(private_redis: RedisServer, tmp_path: Path) -> Iterator[tuple[Worker, StandIn]]:
    with running_standin() as server:
        worker = Worker(
            private_redis.url,
            tmp_path / "worker.log",
            extra_env={"DSA_TDB_URL": server.url, "DSA_TDB_TOKEN": server.token},
        )
        worker.start()
        try:
            yield worker, server
        finally:
            worker.stop()


def removal_order_approved(
    member: Member, first: Actor, second: Actor, reference: str
) -> LegalRequest:
    """A TCO removal order through the services, approved; the worker routes it."""
    legal_request = submit(
        member, kind="CONTENT_REMOVAL", category="TERRORISM", reference=reference,
        legal_basis="Removal order (Reg. (EU) 2021/784, Art. 3)", data_categories=[],
        period_start=None, period_end=None,
        targets=[TargetSpec(kind="MESSAGE_LINK", value="https://t.me/c/123/45")],
    )  # fmt: skip
    wait_for(
        lambda: LegalRequest.objects.get(pk=legal_request.pk).status == RequestStatus.ROUTED,
        30,
        "the worker to route the order",
    )
    legal_request.refresh_from_db()
    review.legal_request_start_review(actor=first, legal_request=legal_request)
    analyse(first, legal_request)
    review.legal_request_approve(actor=first, legal_request=legal_request)
    legal_request.refresh_from_db()
    if legal_request.status == RequestStatus.UNDER_REVIEW:
        review.legal_request_approve(actor=second, legal_request=legal_request)
    return LegalRequest.objects.get(pk=legal_request.pk)


def executed(legal_request: LegalRequest, staff: Actor) -> LegalRequest:
    from liaison.disclosure import legal_request_fulfil

    return legal_request_fulfil(actor=staff, legal_request=legal_request)


@pytest.mark.reliability
@pytest.mark.django_db(transaction=True)
def test_a_removal_orders_statement_reaches_the_database_once_through_a_429_and_a_duplicate(
    policy: None, authority: Member, staff_one: Actor, staff_two: Actor,
    tdb_worker: tuple[Worker, StandIn],
) -> None:  # fmt: skip
    _, standin = tdb_worker
    standin.rate_limited = 1  # the first batch is rate-limited
    first = executed(removal_order_approved(authority, staff_one, staff_two, "TCO-1"), staff_two)
    wait_for(
        lambda: StatementOfReasons.objects.filter(legal_request=first).exists(), 30, "the statement"
    )
    wait_for(
        lambda: StatementOfReasons.objects.get(legal_request=first).state == S.DELIVERED,
        60,
        "the statement to be delivered after the 429",
    )
    assert standin.requests[:2] == [(1, 429), (1, 201)]

    # The second order's statement is already held by the database (an answer that was lost):
    # refused as "not unique", it counts as delivered, and the database holds it once.
    second = removal_order_approved(authority, staff_one, staff_two, "TCO-2")
    puid = f"liaison-{second.pk}"
    standin.stored[puid] = {"puid": puid}
    executed(second, staff_two)
    wait_for(
        lambda: StatementOfReasons.objects.filter(legal_request=second, state=S.DELIVERED).exists(),
        60,
        "the duplicate to count as delivered",
    )
    assert standin.requests[2:] == [(1, 422)]
    assert sorted(standin.stored) == sorted([f"liaison-{first.pk}", puid])
    statements = StatementOfReasons.objects.order_by("created_at")
    assert [s.attempts for s in statements] == [2, 1]
    # Nothing more is sent later (a re-delivered kick finds nothing pending).
    assert all(
        s.delivered_at and s.delivered_at <= timezone.now() + timedelta(seconds=1)
        for s in statements
    )
    assert len(standin.requests) == 3
