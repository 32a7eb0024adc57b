"""The case page shows what the law's clocks and intake add to a request (issue 10): the
instrument, the paused clock, the verification hold and its callback, pre-flight answers,
overlaps with other organizations' requests (and nothing else of theirs), cannot comply, the
non-disclosure order, preservation and the "no data held" decision; the queue's "held" flag
and filter, and the dashboard's "held for verification" count."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.actors import staff_actor
from core.durations import humanize_duration
from core.staff import staff_time
from liaison import cannot_comply, instruments, review
from liaison.models import (
    IntakeAssessment,
    LegalRequest,
    NoDataDecision,
    NonDisclosureOrder,
    Preservation,
    TargetPreflight,
)
from liaison.submission import TargetSpec
from tests.casework.conftest import routed_ticket
from tests.casework.test_case_page import act, case_url, staff, text
from tests.conftest import Member
from tests.factories import StaffUserFactory
from tests.liaison.conftest import ALL_CHECKS, submit
from tests.signin import sign_in_staff

pytestmark = pytest.mark.django_db
QUEUE = "admin:casework_case_changelist"


def make_held(member: Member) -> None:
    """The member's e-mail is outside the registered domain (+40) and it is the first request
    (+15): 55, held (as in tests/liaison/test_intake_signals.py)."""
    member.organization.email_domain = "polizei.example"
    member.organization.save(update_fields=["email_domain"])


def test_instrument_named_or_inferred_with_its_clock_and_document(
    policy: None, authority: Member
) -> None:
    inferred = submit(authority)  # a disclosure from DE: the EPOC, inferred, its PDF attached
    rule = instruments.instrument_rule(inferred.instrument)
    client = sign_in_staff(Client(), StaffUserFactory())
    page = text(client.get(case_url(routed_ticket(inferred))))
    shown = re.search(r'<dd id="case-instrument">(.*?)</dd>', page)
    assert shown is not None
    assert f"<b>{rule.label}</b> (inferred at intake" in shown[1]
    assert "10 days from receipt" in shown[1]
    assert rule.clock_source in shown[1]
    assert "document required" in shown[1]
    assert '<span class="case-yes">attached</span>' in shown[1]

    named = submit(
        authority,
        reference="AZ 2/26",
        instrument="EU_EPOC",
        legal_basis="European Production Order (Reg. (EU) 2023/1543)",
        with_document=False,
    )
    page = text(client.get(case_url(routed_ticket(named))))
    shown = re.search(r'<dd id="case-instrument">(.*?)</dd>', page)
    assert shown is not None
    assert "(named by the authority)" in shown[1]
    assert '<strong class="case-no">none attached</strong>' in shown[1]


def test_held_request_shows_its_signals_and_the_callback_lifts_the_hold(
    policy: None, authority: Member
) -> None:
    make_held(authority)
    legal_request = submit(authority)  # a data disclosure, not an emergency
    assessment = IntakeAssessment.objects.get(legal_request=legal_request)
    assert assessment.holding
    ticket = routed_ticket(legal_request)
    client = sign_in_staff(Client(), staff(team=ticket.team))
    act(client, ticket, "start")
    page = text(client.get(case_url(ticket)))
    panel = page[page.index('id="case-verification"') :][:3000]
    assert f"score {assessment.score}, threshold {assessment.threshold}" in panel
    assert f"registered number <b>{authority.organization.callback_phone}</b>" in panel
    for signal in assessment.signals:
        assert f"(+{signal['weight']})" in panel
    assert "member e-mail outside the organization" in panel
    # The callback is offered for a held request of any kind, on the case page.
    assert reverse("admin:casework_case_action", args=[ticket.pk, "callback"]) in page
    act(client, ticket, "callback", {"officer_name": "KHK Weber", "confirmed": "on"})
    assessment.refresh_from_db()
    assert assessment.verified_at is not None
    page = text(client.get(case_url(ticket)))
    assert "Was held (score" in page
    assert "verified by the callback of" in page
    assert "reached KHK Weber" in page


def test_queue_flag_filter_and_dashboard_count_of_held_requests(
    policy: None, authority: Member, other_authority: Member
) -> None:
    plain = routed_ticket(submit(other_authority, reference="PLAIN 1"))
    make_held(authority)
    held = [routed_ticket(submit(authority, reference=f"HELD {n}")) for n in range(2)]
    client = sign_in_staff(Client(), StaffUserFactory())
    queue = reverse(QUEUE)
    listed = client.get(f"{queue}?scope=all")
    page = text(listed)
    assert page.count('<span class="case-flag case-flag-held">held for verification</span>') == 2
    filtered = client.get(f"{queue}?scope=all&held=yes")
    assert {t.pk for t in filtered.context["cl"].result_list} == {t.pk for t in held}
    assert plain.pk not in {t.pk for t in filtered.context["cl"].result_list}
    index = text(client.get(reverse("admin:index")))
    link = f'<a id="dash-held" href="{queue}?scope=all&amp;held=yes"><span class="case-number">'
    assert f"{link}2</span> held for verification</a>" in index
    # The count is the length of the list it links to.
    assert len(filtered.context["cl"].result_list) == 2


def test_preflight_overlaps_and_no_foreign_data(
    policy: None, authority: Member, other_authority: Member
) -> None:
    ours = submit(
        authority,
        targets=[
            TargetSpec(kind="USERNAME", value="fraud_boss"),
            TargetSpec(kind="USERNAME", value="fraud_mule"),
        ],
    )
    theirs = submit(
        other_authority,
        reference="FOREIGN-REF-9",
        summary="Secret summary of the other authority.",
        legal_basis="Court order, Tribunal de Paris",
        targets=[
            TargetSpec(kind="USERNAME", value="fraud_boss"),
            TargetSpec(kind="USERNAME", value="their_private_target"),
        ],
    )
    ticket, their_ticket = routed_ticket(ours), routed_ticket(theirs)
    TargetPreflight.objects.filter(legal_request=ours).delete()
    TargetPreflight.objects.create(
        legal_request=ours, target_kind="USERNAME", target_value="fraud_boss", exists=True
    )
    TargetPreflight.objects.create(
        legal_request=ours, target_kind="USERNAME", target_value="fraud_mule", exists=False
    )
    client = sign_in_staff(Client(), StaffUserFactory())
    page = text(client.get(case_url(ticket)))
    preflight = page[page.index('id="case-preflight"') :][:2000]
    assert 'USERNAME fraud_boss</td><td><span class="case-yes">account found' in preflight
    assert 'USERNAME fraud_mule</td><td><span class="case-no">no account' in preflight
    overlaps = page[page.index('id="case-overlaps"') :][:2000]
    assert f'<a href="{case_url(their_ticket)}">FOREIGN-REF-9</a>' in overlaps
    assert other_authority.organization.name in overlaps
    assert "shares USERNAME fraud_boss</li>" in overlaps
    # Nothing else of the other organization's request leaks into this case.
    for secret in ("their_private_target", "Secret summary", "Tribunal de Paris"):
        assert secret not in page
    # Their case names ours the same way, and shows nothing of ours but the overlap either.
    their_page = text(client.get(case_url(their_ticket)))
    assert f'<a href="{case_url(ticket)}">AZ 1/26</a>' in their_page
    assert "fraud_mule" not in their_page
    assert "Investment fraud." not in their_page


def test_cannot_comply_pauses_the_clock_and_shows_its_resolution(
    policy: None, authority: Member
) -> None:
    legal_request = submit(authority)
    ticket = routed_ticket(legal_request)
    client = sign_in_staff(Client(), staff(team=ticket.team))
    act(client, ticket, "start")
    page = text(client.get(case_url(ticket)))
    assert reverse("admin:casework_case_action", args=[ticket.pk, "cannot_comply"]) in page
    act(
        client,
        ticket,
        "cannot_comply",
        {"ground": "INCOMPLETE", "explanation": "The period of the data is missing."},
    )
    legal_request.refresh_from_db()
    assert legal_request.status == "NEEDS_INFO"
    assert legal_request.clock_paused_at is not None
    page = text(client.get(case_url(ticket)))
    notice = page[page.index('id="case-cannot-comply"') :][:1500]
    assert "<b>The order is incomplete</b>" in notice
    assert "The period of the data is missing." in notice
    assert "<strong>waiting for the authority</strong>" in notice
    pause = page[page.index('id="case-clock-pause"') :][:800]
    assert "Legal clock paused</b> since" in pause
    assert "cannot-comply notice" in pause
    # A countdown, as the queue shows it (not "14399 minutes").
    left = humanize_duration(legal_request.due_at - legal_request.clock_paused_at, compact=True)
    assert f"time left when paused: {left}." in pause
    # The authority corrects its order: the notice shows its resolution, the clock runs again.
    cannot_comply.legal_request_correct(
        actor=authority.actor, legal_request=legal_request, correction="Period added."
    )
    page = text(client.get(case_url(ticket)))
    notice = page[page.index('id="case-cannot-comply"') :][:1500]
    assert "Corrected by the authority" in notice
    assert "“Correction: Period added.”" in notice
    assert 'id="case-clock-pause"' not in page


def test_non_disclosure_order_preservation_and_no_data(policy: None, authority: Member) -> None:
    legal_request = submit(authority)
    ticket = routed_ticket(legal_request)
    user = staff(team=ticket.team)
    now = timezone.now()
    NonDisclosureOrder.objects.create(
        legal_request=legal_request,
        legal_basis="Art. 11 Reg. (EU) 2023/1543",
        until=now + timedelta(days=90),
        attached_by=user,
    )
    preservation = submit(
        authority,
        reference="PRES 1",
        kind="PRESERVATION",
        legal_basis="European Preservation Order (Reg. (EU) 2023/1543)",
        data_categories=[],
    )
    Preservation.objects.create(
        legal_request=preservation,
        instrument=preservation.instrument,
        preserved_by=user,
        preserved_until=now + timedelta(days=60),
        extensions=1,
        extended_at=now,
        production_request=legal_request,
    )
    client = sign_in_staff(Client(), user)
    page = text(client.get(case_url(ticket)))
    notice = page[page.index('id="case-user-notice"') :][:1500]
    assert "Non-disclosure order (Art. 11 Reg. (EU) 2023/1543) until <b>" in notice
    assert "once the request is fulfilled and the order has lapsed" in notice
    held = page[page.index('id="case-preservation"') :][:1500]
    assert "Preservation of PRES 1" in held
    assert "extensions: 1" in held
    assert "held for production request AZ 1/26</b>" in held
    page = text(client.get(case_url(routed_ticket(preservation))))
    own = page[page.index('id="case-preservation"') :][:1500]
    assert "preserved " in own
    assert "held for production request AZ 1/26" in own

    NoDataDecision.objects.create(legal_request=legal_request, decided_by=user, note="none")
    LegalRequest.objects.filter(pk=legal_request.pk).update(status="FULFILLED", fulfilled_at=now)
    page = text(client.get(case_url(ticket)))
    assert '<p id="case-no-data"><b>No data held:</b> decided by' in page
    until = staff_time(now + timedelta(days=90), None)
    assert f"The user may be told from <b>{until}</b>" in page


def test_case_page_query_count_does_not_grow_with_targets_and_overlaps(
    policy: None, authority: Member, other_authority: Member, django_assert_num_queries: Any
) -> None:
    from tests.casework.test_case_page import CASE_PAGE_QUERIES_WITH_OVERLAPS

    names = [f"target_{n:02d}" for n in range(4)]
    legal_request = submit(authority, targets=[TargetSpec(kind="USERNAME", value=n) for n in names])
    ticket = routed_ticket(legal_request)
    user = staff(team=ticket.team)
    actor = staff_actor(user)
    review.legal_request_start_review(actor=actor, legal_request=legal_request)
    review.legal_analysis_record(actor=actor, legal_request=legal_request, **ALL_CHECKS)
    client = sign_in_staff(Client(), user)

    def overlap(n: int) -> None:
        routed_ticket(
            submit(
                other_authority,
                reference=f"OTHER {n}",
                targets=[TargetSpec(kind="USERNAME", value=v) for v in names[: n + 1]],
            )
        )

    overlap(0)
    client.get(case_url(ticket))  # warm
    with django_assert_num_queries(CASE_PAGE_QUERIES_WITH_OVERLAPS):
        assert client.get(case_url(ticket)).status_code == 200
    for n in (1, 2, 3):
        overlap(n)
    with django_assert_num_queries(CASE_PAGE_QUERIES_WITH_OVERLAPS):
        page = text(client.get(case_url(ticket)))
    assert all(f"OTHER {n}</a>" in page for n in range(4))
