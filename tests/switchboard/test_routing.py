"""Routing: one ticket per request with team, deadline, priority and chain snapshot; the request
moves to ROUTED; the team is notified exactly once, after commit."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.db import connection

from core.outbox import services as outbox
from liaison import review
from liaison.models import LegalRequest, RequestStatus, TimelineEntry
from switchboard import notifications, tickets
from switchboard.handlers import route_submitted_request
from switchboard.models import Notification, RoutingRule, Team, Ticket
from tests.conftest import Member
from tests.switchboard.conftest import submit_request, submitted_events


def routed(legal_request: LegalRequest) -> Ticket:
    event = submitted_events().get(payload__legal_request_id=str(legal_request.pk))
    outbox.outbox_deliver(event_id=event.pk)
    return Ticket.objects.select_related("team").get(legal_request=legal_request)


@pytest.mark.parametrize(
    ("kind", "category", "country", "team", "clock", "priority", "queue"),
    [
        (
            "CONTENT_REMOVAL",
            "TERRORISM",
            "FR",
            "Counter-Terrorism Desk",
            timedelta(hours=1),
            1,
            "urgent",
        ),
        (
            "MODERATION_NOTICE",
            "CHILD_SAFETY",
            "DE",
            "Child Safety Desk",
            timedelta(hours=1),
            1,
            "urgent",
        ),
        (
            "EMERGENCY_DISCLOSURE",
            "VIOLENCE",
            "DE",
            "Law Enforcement Response EU",
            timedelta(hours=8),
            2,
            "urgent",
        ),
        (
            "EMERGENCY_DISCLOSURE",
            "VIOLENCE",
            "US",
            "Law Enforcement Response Americas",
            timedelta(hours=8),
            2,
            "urgent",
        ),
        (
            "DATA_DISCLOSURE",
            "FRAUD",
            "NO",
            "Law Enforcement Response EU",
            timedelta(days=10),
            4,
            "default",
        ),
        (
            "DATA_DISCLOSURE",
            "FRAUD",
            "GB",
            "Law Enforcement Response EU",
            timedelta(days=10),
            4,
            "default",
        ),
        (
            "PRESERVATION",
            "FRAUD",
            "BR",
            "Law Enforcement Response Americas",
            timedelta(hours=24),
            3,
            "default",
        ),
        ("DATA_DISCLOSURE", "FRAUD", "JP", "Legal Response Desk", timedelta(days=10), 4, "default"),
        (
            "CONTENT_REMOVAL",
            "ILLEGAL_GOODS",
            "DE",
            "Legal Response Desk",
            timedelta(hours=24),
            3,
            "default",
        ),
    ],
)
@pytest.mark.django_db
def test_a_request_is_routed_by_the_rules_and_clocks(
    policy: None, authority: Member, kind: str, category: str, country: str, team: str,
    clock: timedelta, priority: int, queue: str,
) -> None:  # fmt: skip
    legal_request = submit_request(authority, kind=kind, category=category, jurisdiction=country)
    assert submitted_events().get().queue == queue
    ticket = routed(legal_request)
    assert ticket.team.name == team
    assert ticket.due_at == legal_request.submitted_at + clock
    assert ticket.priority == priority
    assert ticket.urgent is (queue == "urgent")
    legal_request.refresh_from_db()
    assert legal_request.status == RequestStatus.ROUTED
    assert legal_request.handling_desk == ticket.team.desk_name
    assert legal_request.due_at == ticket.due_at
    # A foreign jurisdiction with an unlisted basis holds some of these for verification (a
    # VERIFICATION entry): they are routed all the same, emergencies included.
    events = legal_request.timeline.exclude(event="VERIFICATION").values_list("event", flat=True)
    assert list(events) == ["SUBMITTED", "ROUTED"]


@pytest.mark.django_db
def test_the_ticket_snapshots_the_escalation_chain(policy: None, authority: Member) -> None:
    ticket = routed(submit_request(authority, kind="CONTENT_REMOVAL", category="TERRORISM"))
    snapshot = ticket.escalation_snapshot
    assert [s["wait_minutes"] for s in snapshot["steps"]] == [5, 10, 15]
    assert ticket.next_escalation_at == ticket.opened_at + timedelta(minutes=5)
    assert ticket.warn_at == ticket.due_at - timedelta(minutes=15)
    # Editing the chain later does not change the open ticket.
    ticket.team.escalation_chain.steps.all().delete()
    ticket.refresh_from_db()
    assert len(ticket.escalation_snapshot["steps"]) == 3


@pytest.mark.django_db
def test_an_emergency_rule_overrides_the_team_chain(policy: None, authority: Member) -> None:
    ticket = routed(submit_request(authority, kind="EMERGENCY_DISCLOSURE", category="VIOLENCE"))
    assert ticket.team.escalation_chain.name == "Standard"
    assert ticket.escalation_snapshot["chain"] == "Urgent (1-hour clocks)"


@pytest.mark.django_db
def test_the_same_event_delivered_three_times_opens_one_ticket_one_notification(
    policy: None, authority: Member, django_capture_on_commit_callbacks: Any
) -> None:
    legal_request = submit_request(authority, kind="CONTENT_REMOVAL", category="TERRORISM")
    event = submitted_events().get()
    for _ in range(3):
        submitted_events().filter(pk=event.pk).update(delivered_at=None)  # as if never marked
        with django_capture_on_commit_callbacks(execute=True):
            outbox.outbox_deliver(event_id=event.pk)
        route_submitted_request(event)  # and the handler called directly too
    assert Ticket.objects.filter(legal_request=legal_request).count() == 1
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1
    assert TimelineEntry.objects.filter(event="ROUTED").count() == 1


@pytest.mark.django_db
def test_the_team_is_notified_by_mail_and_live_push_after_commit(
    policy: None, authority: Member, django_capture_on_commit_callbacks: Any
) -> None:
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    team = Team.objects.get(name="Counter-Terrorism Desk")
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(notifications.staff_group_name(team.pk), channel)
    legal_request = submit_request(authority, kind="CONTENT_REMOVAL", category="TERRORISM")
    event = submitted_events().get()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outbox.outbox_deliver(event_id=event.pk)
    assert mail.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    [message] = mail.outbox
    assert "ct-desk@platform.example" in message.to
    assert "[P1]" in message.subject
    pushed = async_to_sync(layer.receive)(channel)
    assert pushed["type"] == "ticket.notification"
    assert pushed["ticket_id"] == Ticket.objects.get(legal_request=legal_request).pk
    assert Notification.objects.get().sent_at is not None


@pytest.mark.django_db
def test_a_rule_that_raises_sends_the_request_to_the_fallback_and_records_the_error(
    policy: None, authority: Member, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = RoutingRule.objects.get(position=10)
    original = RoutingRule.matches

    def matches(self: RoutingRule, **kwargs: Any) -> bool:
        if self.pk == broken.pk:
            raise KeyError("ATLANTIS")
        return original(self, **kwargs)

    monkeypatch.setattr(RoutingRule, "matches", matches)
    ticket = routed(submit_request(authority, kind="DATA_DISCLOSURE", category="FRAUD"))
    assert ticket.team.is_fallback
    assert "ATLANTIS" in ticket.routing_error
    assert ticket.routing_rule == broken
    broken.refresh_from_db()
    assert broken.error_count == 1
    assert "ATLANTIS" in broken.last_error
    note = TimelineEntry.objects.get(event="NOTE")
    assert note.public is False
    assert "fallback" in note.message


@pytest.mark.django_db
def test_a_region_unknown_to_the_code_raises_at_evaluation(policy: None, authority: Member) -> None:
    # A rule saved with a region that a later release no longer knows: evaluation raises.
    rule = RoutingRule.objects.get(position=50)
    RoutingRule.objects.filter(pk=rule.pk).update(region="")
    rule.refresh_from_db()
    with pytest.raises(KeyError):
        RoutingRule(region="ATLANTIS").matches(
            kind="DATA_DISCLOSURE", category="FRAUD", jurisdiction="DE", urgent=False
        )


@pytest.mark.django_db
def test_routing_without_any_policy_creates_the_fallback(authority: Member) -> None:
    Team.objects.all().delete()
    ticket = routed(submit_request(authority))
    assert ticket.team.is_fallback
    assert ticket.team.desk_name == "Legal Response Desk"


@pytest.mark.django_db
def test_a_withdrawn_request_gets_no_ticket(policy: None, authority: Member) -> None:
    legal_request = submit_request(authority)
    LegalRequest.objects.filter(pk=legal_request.pk).update(status=RequestStatus.WITHDRAWN)
    assert tickets.ticket_open_for_request(legal_request_id=legal_request.pk) is None
    assert not Ticket.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_during_routing_waits_for_it_then_closes_the_ticket(
    policy: None, authority: Member
) -> None:
    with mock.patch.object(outbox, "outbox_enqueue"):  # delivered by hand below
        legal_request = submit_request(authority)
    event = submitted_events().get()
    # The routing decides (tickets._routing_of) with the request already locked.
    decide = tickets._routing_of
    other: list[threading.Thread] = []

    def withdraw() -> None:
        try:
            review.legal_request_withdraw(
                actor=authority.actor, legal_request=LegalRequest.objects.get(pk=legal_request.pk)
            )
        finally:
            connection.close()

    def withdrawn_meanwhile(*args: Any) -> Any:
        # The authority withdraws on another connection while the switchboard routes: it waits
        # for the routing's row lock (it cannot slip in between a read and the routing).
        other.append(threading.Thread(target=withdraw))
        other[0].start()
        other[0].join(0.5)
        assert other[0].is_alive()
        return decide(*args)

    with mock.patch.object(tickets, "_routing_of", side_effect=withdrawn_meanwhile):
        assert outbox.outbox_deliver(event_id=event.pk)
    other[0].join(10)
    assert not other[0].is_alive()
    # Routed once, then withdrawn: the withdrawal's `status_changed` resolved the ticket.
    assert LegalRequest.objects.get(pk=legal_request.pk).status == RequestStatus.WITHDRAWN
    assert Ticket.objects.get(legal_request=legal_request).state == Ticket.State.RESOLVED
    assert TimelineEntry.objects.filter(legal_request=legal_request, event="ROUTED").count() == 1
    assert not outbox.outbox_deliver(event_id=event.pk)  # a late duplicate does nothing


@pytest.mark.django_db
def test_first_matching_rule_wins(policy: None, authority: Member) -> None:
    ct = Team.objects.get(name="Counter-Terrorism Desk")
    RoutingRule.objects.create(position=1, name="All German requests", team=ct, countries=["DE"])
    assert routed(submit_request(authority, jurisdiction="DE")).team == ct


@pytest.mark.django_db(transaction=True)
def test_submission_routes_after_commit_through_celery(policy: None, authority: Member) -> None:
    # Eager Celery: the on-commit enqueue runs the real task, which routes and notifies.
    legal_request = submit_request(
        authority, kind="PRESERVATION", category="FRAUD", jurisdiction="US"
    )
    legal_request.refresh_from_db()
    assert legal_request.status == RequestStatus.ROUTED
    assert legal_request.handling_desk == "Law Enforcement Response (Americas)"
    assert submitted_events().get().delivered_at is not None
    assert Notification.objects.get().sent_at is not None
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_one_routing_is_six_statements(
    policy: None, authority: Member, django_capture_on_commit_callbacks: Any
) -> None:
    """The statements of one routing (switchboard/tickets.py lists what each is for); the
    savepoints are the test's own transaction's (in production BEGIN and COMMIT)."""
    legal_request = submit_request(authority)
    event = submitted_events().get()
    statements: list[str] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")):
            statements.append(" ".join(sql.split()))
        return execute(sql, params, many, context)

    with django_capture_on_commit_callbacks(execute=False), connection.execute_wrapper(record):
        assert outbox.outbox_deliver(event_id=event.pk)
    expected = [
        "UPDATE portal_outboxevent SET delivered_at",
        'SELECT r."id", r."organization_id"',
        'INSERT INTO "hotline_ticket"',
        'INSERT INTO "hotline_notification"',
        'WITH moved AS (UPDATE "liaison_legalrequest"',
        'INSERT INTO "liaison_auditentry"',
    ]
    assert len(statements) == len(expected), statements
    assert all(map(str.startswith, statements, expected)), statements
    assert statements[1].endswith("FOR UPDATE OF r")
    assert 'INSERT INTO "liaison_timelineentry"' in statements[4]
    legal_request.refresh_from_db()
    assert legal_request.status == RequestStatus.ROUTED
    ticket = Ticket.objects.get(legal_request=legal_request)
    [notification] = Notification.objects.filter(ticket=ticket)
    # The recipients the locking read found: the on-call member and the team mailbox.
    assert notification.recipients == notifications._recipients(ticket, "on_call")
    assert notification.recipients
    assert notification.sent_at is None  # the flush sends it after commit


@pytest.mark.django_db(transaction=True)
def test_the_flush_after_routing_sends_and_runs_the_preflight(
    policy: None, authority: Member
) -> None:
    from liaison.models import AuditEntry, TargetPreflight

    legal_request = submit_request(authority)  # eager Celery: routed, then flushed
    notification = Notification.objects.get(ticket__legal_request=legal_request)
    assert (notification.attempts, notification.sent_at is not None) == (1, True)
    assert len(mail.outbox) == 1
    assert TargetPreflight.objects.filter(legal_request=legal_request).count() == 1
    assert AuditEntry.objects.filter(action="legal_request.preflight_checked").count() == 1
