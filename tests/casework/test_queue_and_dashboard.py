"""The queue (my team by default, assigned to me, urgent first then by deadline, a query count
that does not grow with the page), the dashboard on the admin index, and staff time zones."""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.outbox.models import DeadLetter
from core.staff import StaffProfile, staff_time
from switchboard.models import TeamMember, Ticket
from tests.casework.conftest import routed_ticket
from tests.conftest import Member
from tests.factories import StaffUserFactory
from tests.liaison.conftest import submit
from tests.signin import sign_in_staff

pytestmark = pytest.mark.django_db
QUEUE = "admin:casework_case_changelist"


def open_cases(authority: Member, count: int, **fields: Any) -> list[Ticket]:
    return [
        routed_ticket(submit(authority, reference=f"{fields.pop('prefix', 'Q')}-{i}", **fields))
        for i in range(count)
    ]


def references(response: Any) -> list[str]:
    return [t.legal_request.reference for t in response.context["cl"].result_list]


def test_queue_scopes_and_order(policy: None, authority: Member) -> None:
    disclosures = open_cases(authority, 2)
    removal = _removal(authority)
    assert removal.urgent
    assert removal.team != disclosures[0].team
    # Q-0 is due after Q-1: the table shows Q-1 first.
    Ticket.objects.filter(pk=disclosures[0].pk).update(due_at=timezone.now() + timedelta(days=20))
    member = StaffUserFactory()
    TeamMember.objects.create(team=disclosures[0].team, user=member)
    client = sign_in_staff(Client(), member)
    default = client.get(reverse(QUEUE))
    assert references(default) == ["Q-1", "Q-0"]  # my team's, by deadline
    assert default.context["title"] == "Queue: my team"
    everyone = client.get(reverse(QUEUE), {"scope": "all"})
    assert references(everyone) == ["TCO-1", "Q-1", "Q-0"]  # urgent first
    Ticket.objects.filter(pk=disclosures[0].pk).update(assignee=member)
    mine = client.get(reverse(QUEUE), {"scope": "mine"})
    assert references(mine) == ["Q-0"]
    assert "<h1>Queue: assigned to me</h1>" in mine.content.decode()
    page = re.sub(r"\s+", " ", default.content.decode())
    case_url = reverse("admin:casework_case_change", args=[disclosures[1].pk])
    assert f'<a href="{case_url}">Q-1</a>' in page  # one click to the whole case
    for column in ("Organization", "Kind", "Category", "Desk", "Due", "Time left", "Assignee"):
        assert f">{column}</" in page
    assert "/ws/staff/tickets/" not in page  # the socket address lives in the script file
    assert "casework/queue.js" in page
    # Without a team, the whole queue.
    loner = sign_in_staff(Client(), StaffUserFactory())
    assert len(references(loner.get(reverse(QUEUE)))) == 3


def _removal(authority: Member) -> Ticket:
    from liaison import submission

    spec = submission.LegalRequestSpec(
        kind="CONTENT_REMOVAL",
        category="TERRORISM",
        reference="TCO-1",
        legal_basis="Regulation (EU) 2021/784, removal order",
        jurisdiction="DE",
        summary="Terrorist content.",
        targets=[submission.TargetSpec(kind="MESSAGE_LINK", value="https://t.me/bad_channel/42")],
    )
    return routed_ticket(submission.legal_request_submit(actor=authority.actor, spec=spec))


def test_queue_query_count_does_not_grow_with_the_page(policy: None, authority: Member) -> None:
    client = sign_in_staff(Client(), StaffUserFactory())
    open_cases(authority, 2, prefix="A")
    client.get(reverse(QUEUE), {"scope": "all"})  # warm the caches
    with CaptureQueriesContext(connection) as few:
        assert len(references(client.get(reverse(QUEUE), {"scope": "all"}))) == 2
    open_cases(authority, 10, prefix="B")
    with CaptureQueriesContext(connection) as many:
        assert len(references(client.get(reverse(QUEUE), {"scope": "all"}))) == 12
    assert len(many.captured_queries) == len(few.captured_queries)


def test_bulk_actions_stay_in_the_list(policy: None, authority: Member) -> None:
    tickets = open_cases(authority, 2)
    user = StaffUserFactory()
    client = sign_in_staff(Client(), user)
    client.post(
        reverse(QUEUE) + "?scope=all",
        {"action": "assign_selected_to_me", "_selected_action": [t.pk for t in tickets]},
    )
    assert set(Ticket.objects.values_list("assignee", "state")) == {(user.pk, "ACKNOWLEDGED")}


def test_dashboard_counts_link_to_their_lists(policy: None, authority: Member) -> None:
    now = timezone.now()
    overdue, soon, later, breached = open_cases(authority, 4)
    Ticket.objects.filter(pk=overdue.pk).update(due_at=now - timedelta(minutes=5))
    Ticket.objects.filter(pk=soon.pk).update(due_at=now + timedelta(minutes=30))
    Ticket.objects.filter(pk=breached.pk).update(due_at=now - timedelta(minutes=1), breached_at=now)
    DeadLetter.objects.create(key="outbox:1", task_name="deliver")
    client = sign_in_staff(Client(), StaffUserFactory())
    page = re.sub(r"\s+", " ", client.get(reverse("admin:index")).content.decode())
    queue = reverse(QUEUE)
    expected = {
        "dash-overdue": (f"{queue}?scope=all&amp;overdue=yes", 2),
        "dash-hour": (f"{queue}?scope=all&amp;due=hour", 1),
        "dash-breaches": (f"{queue}?scope=all&amp;state=all&amp;due=breached_today", 1),
        "dash-dead": (reverse("admin:core_deadletter_changelist") + "?redriven_at__isempty=1", 1),
    }
    for anchor, (url, count) in expected.items():
        assert f'<a id="{anchor}" href="{url}"><span class="case-number">{count}</span>' in page
    team = later.team
    team_url = f"{queue}?scope=all&amp;team__id__exact={team.pk}"
    assert f'<a href="{team_url}"><span class="case-number">4</span> {team.name}</a>' in page
    # Each number is the length of the list it links to.
    for anchor, (url, count) in list(expected.items())[:3]:
        listed = client.get(url.replace("&amp;", "&"))
        assert len(references(listed)) == count, anchor
    assert {t.pk for t in client.get(f"{queue}?scope=all&due=hour").context["cl"].result_list} == {
        soon.pk
    }


def test_a_paused_clock_is_shown_paused_and_not_counted_overdue(
    policy: None, authority: Member
) -> None:
    """A ticket whose clock stopped for a clarification: the queue says "paused" with what
    was left, and the dashboard's "overdue" counts it no more than the list it links to,
    even once its old deadline has passed."""
    now = timezone.now()
    running, paused = open_cases(authority, 2)
    Ticket.objects.filter(pk=running.pk).update(due_at=now - timedelta(minutes=5))
    Ticket.objects.filter(pk=paused.pk).update(
        due_at=now - timedelta(hours=1), paused_at=now - timedelta(hours=3)
    )
    client = sign_in_staff(Client(), StaffUserFactory())
    queue = client.get(reverse(QUEUE), {"scope": "all"})
    assert queue.context["title"] == "Queue: all teams"
    page = re.sub(r"\s+", " ", queue.content.decode())
    row = re.search(rf'<a href="{reverse("admin:casework_case_change", args=[paused.pk])}">'
                    r"(.*?)</tr>", page)  # fmt: skip
    assert row is not None
    assert '<span class="case-left case-left-paused">paused, 2h 00m left</span>' in row[1]
    assert '<span class="case-flag case-flag-paused">paused</span>' in row[1]
    assert "overdue" not in row[1]
    index = re.sub(r"\s+", " ", client.get(reverse("admin:index")).content.decode())
    overdue_url = f"{reverse(QUEUE)}?scope=all&amp;overdue=yes"
    assert f'<a id="dash-overdue" href="{overdue_url}"><span class="case-number">1</span>' in index
    listed = client.get(overdue_url.replace("&amp;", "&"))
    assert references(listed) == [running.legal_request.reference]


def test_times_carry_utc_and_the_staff_members_zone(policy: None, authority: Member) -> None:
    moment = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    assert staff_time(moment, None) == "2026-12-01 23:30 UTC"
    assert staff_time(moment, zoneinfo.ZoneInfo("Europe/Berlin")) == (
        "2026-12-01 23:30 UTC (2026-12-02 00:30 CET)"
    )
    assert staff_time(moment, zoneinfo.ZoneInfo("America/New_York")) == (
        "2026-12-01 23:30 UTC (18:30 EST)"
    )
    user = StaffUserFactory()
    profile = StaffProfile(user=user, time_zone="Mars/Olympus")
    with pytest.raises(ValidationError) as refused:
        profile.full_clean()
    assert "time_zone" in refused.value.message_dict
    ticket = open_cases(authority, 1)[0]
    StaffProfile.objects.create(user=user, time_zone="Asia/Tokyo")
    client = sign_in_staff(Client(), user)
    page = client.get(reverse(QUEUE), {"scope": "all"}).content.decode()
    local = ticket.due_at.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert f"{ticket.due_at:%Y-%m-%d %H:%M} UTC" in page
    assert f"{local:%H:%M} JST" in page
    # The profile page lets staff set it.
    own = client.get(reverse("admin:core_staffprofile_change", args=[user.staff_profile.pk]))
    assert 'name="time_zone"' in own.content.decode()
