"""Escalation and breaches: the sweeper takes the chain's steps while a ticket is unacknowledged,
warns once before the deadline, records a breach exactly once; staff actions stop or add steps."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection

from core.actors import staff_actor
from core.outbox import services as outbox
from liaison.models import TimelineEntry
from switchboard.models import Notification, Team, TeamMember, Ticket
from switchboard.sweep import SweepReport, switchboard_sweep
from switchboard.tickets import ticket_acknowledge, ticket_assign, ticket_escalate, ticket_resolve
from tests.conftest import Member
from tests.factories import StaffUserFactory, UserFactory
from tests.switchboard.conftest import submit_request, submitted_events


def open_ticket(authority: Member, **kwargs: Any) -> Ticket:
    legal_request = submit_request(authority, **kwargs)
    outbox.outbox_deliver(
        event_id=submitted_events().get(payload__legal_request_id=str(legal_request.pk)).pk
    )
    return Ticket.objects.get(legal_request=legal_request)


def events(ticket: Ticket) -> list[str]:
    return list(
        TimelineEntry.objects.filter(legal_request=ticket.legal_request)
        .exclude(event__in=["SUBMITTED", "ROUTED", "NOTE"])
        .values_list("event", flat=True)
    )


@pytest.fixture
def ct_team(policy: None) -> Team:
    team = Team.objects.get(name="Counter-Terrorism Desk")
    for position, name in enumerate(["first", "second", "third"]):
        user = UserFactory(username=f"{name}@platform.example", is_staff=True)
        TeamMember.objects.create(team=team, user=user, position=position, is_lead=name == "third")
    return team


@pytest.mark.django_db
def test_unacknowledged_ticket_walks_the_chain_then_warns_then_breaches(
    ct_team: Team, authority: Member
) -> None:
    ticket = open_ticket(authority, kind="CONTENT_REMOVAL", category="TERRORISM")
    start = ticket.opened_at

    def sweep(minutes: int) -> SweepReport:
        return switchboard_sweep(now=start + timedelta(minutes=minutes))

    assert sweep(4).escalated == 0
    assert sweep(5).escalated == 1  # +5: next on-call person
    assert sweep(6).escalated == 0
    assert sweep(15).escalated == 1  # +10 more: the team lead
    assert sweep(30).escalated == 1  # +15 more: the whole team
    assert sweep(40).escalated == 0  # chain exhausted
    report = sweep(45)  # 15 min before the 1-hour deadline
    assert report.warned == 1
    assert sweep(50).warned == 0  # once
    assert sweep(61).breached == 1
    assert sweep(70).breached == 0  # exactly once
    assert events(ticket) == ["ESCALATED", "ESCALATED", "ESCALATED", "BREACH_WARNING", "BREACHED"]
    kinds = list(
        Notification.objects.filter(ticket=ticket).values_list("kind", "step", "recipients")
    )
    assert kinds[0][:2] == ("ROUTED", 0)
    assert "first@platform.example" in kinds[0][2]
    assert kinds[1] == ("ESCALATION", 1, ["ct-desk@platform.example", "second@platform.example"])
    assert kinds[2] == ("ESCALATION", 2, ["ct-desk@platform.example", "third@platform.example"])
    assert set(kinds[3][2]) >= {
        "first@platform.example",
        "second@platform.example",
        "third@platform.example",
    }
    assert [k[0] for k in kinds[4:]] == ["BREACH_WARNING", "BREACHED"]
    entry = TimelineEntry.objects.filter(event="ESCALATED").first()
    assert entry.actor_label == "Switchboard"
    assert entry.public is False
    assert entry.at == start + timedelta(minutes=5)


@pytest.mark.django_db
def test_acknowledging_stops_escalation_but_not_the_deadline(
    ct_team: Team, authority: Member
) -> None:
    ticket = open_ticket(authority, kind="CONTENT_REMOVAL", category="TERRORISM")
    start = ticket.opened_at
    staff = StaffUserFactory()
    ticket_acknowledge(ticket=ticket, actor=staff_actor(staff), now=start + timedelta(minutes=2))
    report = switchboard_sweep(now=start + timedelta(minutes=30))
    assert report.escalated == 0
    assert switchboard_sweep(now=start + timedelta(minutes=61)).breached == 1
    ticket.refresh_from_db()
    assert ticket.state == "ACKNOWLEDGED"
    assert ticket.assignee == staff
    ack = TimelineEntry.objects.get(event="ACKNOWLEDGED")
    assert ack.public is True
    assert ack.actor_label == "Counter-Terrorism Desk"  # authorities see the desk, not the person


@pytest.mark.django_db
def test_resolved_ticket_never_breaches(ct_team: Team, authority: Member) -> None:
    ticket = open_ticket(authority, kind="CONTENT_REMOVAL", category="TERRORISM")
    from liaison import review

    # A ticket is resolved once its request is closed.
    review.legal_request_withdraw(actor=authority.actor, legal_request=ticket.legal_request)
    ticket_resolve(ticket=ticket, actor=staff_actor(StaffUserFactory()))
    report = switchboard_sweep(now=ticket.due_at + timedelta(hours=1))
    assert (report.escalated, report.warned, report.breached) == (0, 0, 0)


@pytest.mark.django_db
def test_a_late_sweep_breaches_without_a_pointless_warning(
    ct_team: Team, authority: Member
) -> None:
    ticket = open_ticket(authority, kind="CONTENT_REMOVAL", category="TERRORISM")
    report = switchboard_sweep(now=ticket.due_at + timedelta(minutes=1))
    assert report.breached == 1
    assert report.warned == 0
    assert report.escalated == 1  # one step per sweep; the next sweeps catch up
    assert switchboard_sweep(now=ticket.due_at + timedelta(minutes=2)).escalated == 1


@pytest.mark.django_db
def test_manual_escalation_and_assignment(ct_team: Team, authority: Member) -> None:
    ticket = open_ticket(authority, kind="CONTENT_REMOVAL", category="TERRORISM")
    staff = StaffUserFactory()
    ticket_escalate(ticket=ticket, actor=staff_actor(staff))
    ticket.refresh_from_db()
    assert ticket.escalation_step == 1
    assert TimelineEntry.objects.get(event="ESCALATED").actor_label == staff.email
    ticket_assign(ticket=ticket, actor=staff_actor(staff), assignee=staff)
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.state) == (staff, "ACKNOWLEDGED")


@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_record_each_step_once(ct_team: Team, authority: Member) -> None:
    tickets = [
        open_ticket(authority, kind="CONTENT_REMOVAL", category="TERRORISM", reference=f"R{i}")
        for i in range(5)
    ]
    later = max(t.due_at for t in tickets) + timedelta(minutes=1)
    barrier = threading.Barrier(3)

    def sweep() -> None:
        try:
            barrier.wait()
            switchboard_sweep(now=later)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert TimelineEntry.objects.filter(event="BREACHED").count() == 5
    assert Notification.objects.filter(kind="BREACHED").count() == 5
    # Each sweep takes at most one step per ticket; steps are never taken twice.
    for ticket in Ticket.objects.all():
        steps = TimelineEntry.objects.filter(legal_request=ticket.legal_request, event="ESCALATED")
        assert steps.count() == ticket.escalation_step
        assert 1 <= ticket.escalation_step <= 3
        assert (
            Notification.objects.filter(ticket=ticket, kind="ESCALATION").count()
            == ticket.escalation_step
        )


def deliver_status_events() -> None:
    for event in outbox_events("legal_request.status_changed"):
        outbox.outbox_deliver(event_id=event.pk)


def outbox_events(topic: str) -> list[Any]:
    from core.outbox.models import OutboxEvent

    return list(OutboxEvent.objects.filter(topic=topic, delivered_at__isnull=True).order_by("id"))


@pytest.mark.django_db
def test_a_clarification_pauses_the_ticket_and_the_answer_resumes_it(
    ct_team: Team, authority: Member
) -> None:
    from liaison import review

    ticket = open_ticket(authority, kind="CONTENT_REMOVAL", category="TERRORISM")
    staff = staff_actor(StaffUserFactory())
    legal_request = review.legal_request_start_review(
        actor=staff, legal_request=ticket.legal_request
    )
    asked = review.legal_request_ask_clarification(
        actor=staff, legal_request=legal_request, question="Which message exactly?"
    )
    deliver_status_events()
    ticket.refresh_from_db()
    assert ticket.paused_at is not None
    # Long past the deadline, a paused ticket neither escalates, warns nor breaches.
    late = ticket.due_at + timedelta(hours=5)
    report = switchboard_sweep(now=late)
    assert (report.escalated, report.warned, report.breached) == (0, 0, 0)
    # The answer resumes it: the deadline moves by the pause, and the sweeper runs again.
    from liaison.models import LegalRequest

    LegalRequest.objects.filter(pk=asked.pk).update(
        clock_paused_at=asked.clock_paused_at - timedelta(minutes=30)
    )
    Ticket.objects.filter(pk=ticket.pk).update(paused_at=ticket.paused_at - timedelta(minutes=30))
    due_before = ticket.due_at
    review.legal_request_answer_clarification(
        actor=authority.actor, legal_request=asked, answer="https://t.me/bad_channel/42"
    )
    deliver_status_events()
    ticket.refresh_from_db()
    assert ticket.paused_at is None
    assert timedelta(minutes=30) <= ticket.due_at - due_before < timedelta(minutes=31)
    assert switchboard_sweep(now=ticket.due_at + timedelta(seconds=1)).breached == 1


@pytest.mark.django_db
def test_a_withdrawn_request_resolves_its_ticket(ct_team: Team, authority: Member) -> None:
    from liaison import review

    ticket = open_ticket(authority, kind="CONTENT_REMOVAL", category="TERRORISM")
    review.legal_request_withdraw(actor=authority.actor, legal_request=ticket.legal_request)
    deliver_status_events()
    ticket.refresh_from_db()
    assert ticket.state == Ticket.State.RESOLVED
    report = switchboard_sweep(now=ticket.due_at + timedelta(hours=1))
    assert report.breached == 0
