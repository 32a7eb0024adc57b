"""The review workflow: the transition table, four eyes, reasons, clarification and the clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.actors import Actor
from core.outbox.models import OutboxEvent
from liaison import disclosure, lifecycle, review, submission
from liaison.lifecycle import TRANSITIONS
from liaison.models import (
    Approval,
    AuditEntry,
    DisclosurePackage,
    LegalRequest,
    RequestStatus,
    TimelineEntry,
)
from liaison.review_policy import current_policy
from liaison.subscriber_records import demo
from tests.conftest import Member
from tests.liaison.conftest import analyse, approved, fulfilled, route, submit, under_review

S = RequestStatus


def code_of(excinfo: Any) -> str:
    error = excinfo.value
    if hasattr(error, "error_dict"):
        return next(iter(error.error_dict.values()))[0].code
    return error.error_list[0].code


def status_events(legal_request: LegalRequest) -> list[tuple[str, str]]:
    """Every status change of the request, as the audit log recorded it."""
    return [
        (entry.details["from"], entry.details["to"])
        for entry in AuditEntry.objects.filter(
            action="legal_request.status_changed", object_id=str(legal_request.pk)
        ).order_by("id")  # append order (seq is given later, by the sealer)
    ]


@pytest.mark.parametrize(
    ("kind", "extra"),
    [
        ("DATA_DISCLOSURE", {}),
        ("EMERGENCY_DISCLOSURE", {"legal_basis": "18 U.S.C. 2702(b)(8) emergency disclosure"}),
        ("PRESERVATION", {"data_categories": ["IP_ADDRESSES"]}),
        (
            "CONTENT_REMOVAL",
            {
                "data_categories": None,
                "targets": [submission.TargetSpec(kind="MESSAGE_LINK", value="t.me/bad_ch/42")],
                "period_start": None,
                "period_end": None,
            },
        ),
        (
            "MODERATION_NOTICE",
            {
                "data_categories": None,
                "targets": [submission.TargetSpec(kind="MESSAGE_LINK", value="t.me/bad_ch/43")],
                "period_start": None,
                "period_end": None,
            },
        ),
    ],
)
@pytest.mark.django_db
def test_full_path_of_every_kind(
    authority: Member, staff_one: Actor, staff_two: Actor, accounts: Any, kind: str, extra: dict
) -> None:
    legal_request = fulfilled(authority, staff_one, staff_two, kind=kind, **extra)
    assert legal_request.status == S.FULFILLED
    assert legal_request.fulfilled_at is not None
    assert legal_request.review_policy_version == current_policy().version
    path = [(S.RECEIVED, S.ROUTED), (S.ROUTED, S.UNDER_REVIEW), (S.UNDER_REVIEW, S.APPROVED)]
    assert status_events(legal_request) == [*path, (S.APPROVED, S.FULFILLED)]
    discloses = kind in ("DATA_DISCLOSURE", "EMERGENCY_DISCLOSURE")
    assert DisclosurePackage.objects.filter(legal_request=legal_request).exists() is discloses
    # Each move is on the timeline with who, when and why.
    moves = TimelineEntry.objects.filter(
        legal_request=legal_request, event__in=["ROUTED", "STATUS_CHANGED"]
    )
    assert [m.status for m in moves] == [S.ROUTED, S.UNDER_REVIEW, S.APPROVED, S.FULFILLED]
    assert all(m.actor_label and m.message and m.at for m in moves)


@pytest.mark.django_db
def test_non_disclosure_kinds_need_one_approval(authority: Member, staff_one: Actor) -> None:
    legal_request = under_review(
        authority,
        staff_one,
        kind="CONTENT_REMOVAL",
        data_categories=None,
        targets=[submission.TargetSpec(kind="MESSAGE_LINK", value="t.me/bad_ch/42")],
    )
    analyse(staff_one, legal_request, data_minimised=False)
    review.legal_request_approve(actor=staff_one, legal_request=legal_request)
    legal_request.refresh_from_db()
    assert legal_request.status == S.APPROVED


@pytest.mark.django_db
def test_every_move_outside_the_table_is_refused(authority: Member, staff_one: Actor) -> None:
    legal_request = route(submit(authority))
    for target in S.values:
        if (S.ROUTED, target) in TRANSITIONS:
            continue
        with pytest.raises(ValidationError) as excinfo:
            lifecycle.legal_request_transition(
                actor=staff_one, legal_request=legal_request, to_status=target, reason="x"
            )
        assert code_of(excinfo) == "invalid_transition"
    legal_request.refresh_from_db()
    assert legal_request.status == S.ROUTED


@pytest.mark.django_db
def test_who_may_move_is_part_of_the_table(
    authority: Member, other_authority: Member, staff_one: Actor
) -> None:
    legal_request = under_review(authority, staff_one)
    with pytest.raises(ValidationError) as excinfo:  # an authority cannot approve itself
        lifecycle.legal_request_transition(
            actor=authority.actor, legal_request=legal_request, to_status=S.APPROVED, reason="x"
        )
    assert code_of(excinfo) == "transition_not_allowed"
    with pytest.raises(ValidationError):  # staff cannot withdraw on the authority's behalf
        review.legal_request_withdraw(actor=staff_one, legal_request=legal_request)
    with pytest.raises(ValidationError):  # another organization cannot withdraw it
        review.legal_request_withdraw(actor=other_authority.actor, legal_request=legal_request)
    with pytest.raises(ValidationError) as excinfo:  # the four-eyes guard is in the transition
        lifecycle.legal_request_transition(
            actor=staff_one, legal_request=legal_request, to_status=S.APPROVED, reason="x"
        )
    assert code_of(excinfo) == "approvals_missing"


@pytest.mark.django_db
def test_one_approver_twice_is_refused(
    authority: Member, staff_one: Actor, staff_two: Actor
) -> None:
    legal_request = under_review(authority, staff_one)
    analyse(staff_one, legal_request)
    review.legal_request_approve(actor=staff_one, legal_request=legal_request)
    with pytest.raises(ValidationError) as excinfo:
        review.legal_request_approve(actor=staff_one, legal_request=legal_request)
    assert code_of(excinfo) == "same_approver"
    legal_request.refresh_from_db()
    assert legal_request.status == S.UNDER_REVIEW
    # The database refuses it too, whatever a service might do.
    with pytest.raises(IntegrityError), transaction.atomic():
        Approval.objects.create(
            legal_request=legal_request,
            approver=staff_one.user,
            policy_version="x",
            checklist={},
        )
    review.legal_request_approve(actor=staff_two, legal_request=legal_request)
    legal_request.refresh_from_db()
    assert legal_request.status == S.APPROVED
    assert Approval.objects.filter(legal_request=legal_request).count() == 2


@pytest.mark.django_db
def test_approval_needs_a_complete_checklist(authority: Member, staff_one: Actor) -> None:
    legal_request = under_review(authority, staff_one)
    with pytest.raises(ValidationError) as excinfo:
        review.legal_request_approve(actor=staff_one, legal_request=legal_request)
    assert code_of(excinfo) == "analysis_incomplete"
    analyse(staff_one, legal_request, proportionate=False)
    with pytest.raises(ValidationError, match="proportionate"):
        review.legal_request_approve(actor=staff_one, legal_request=legal_request)
    with pytest.raises(ValidationError) as excinfo:
        analyse(staff_one, legal_request, moderation_reference="")
    assert code_of(excinfo) == "required"


@pytest.mark.django_db
def test_only_staff_review(authority: Member, staff_one: Actor) -> None:
    legal_request = under_review(authority, staff_one)
    with pytest.raises(ValidationError) as excinfo:
        review.legal_request_approve(actor=authority.actor, legal_request=legal_request)
    assert code_of(excinfo) == "staff_only"
    with pytest.raises(ValidationError):
        analyse(authority.actor, legal_request)  # type: ignore[arg-type]


@pytest.mark.django_db
def test_rejection_carries_a_reason_code_and_the_policy_version(
    authority: Member, staff_one: Actor
) -> None:
    legal_request = under_review(authority, staff_one)
    with pytest.raises(ValidationError):
        review.legal_request_reject(
            actor=staff_one, legal_request=legal_request, reason_code="BECAUSE"
        )
    with pytest.raises(ValidationError):
        review.legal_request_reject(
            actor=staff_one, legal_request=legal_request, reason_code="OTHER"
        )
    rejected = review.legal_request_reject(
        actor=staff_one, legal_request=legal_request, reason_code="DISPROPORTIONATE"
    )
    assert rejected.status == S.REJECTED
    assert rejected.rejection_reason == "DISPROPORTIONATE"
    assert rejected.review_policy_version == current_policy().version
    entry = AuditEntry.objects.filter(action="legal_request.status_changed").last()
    assert entry is not None
    assert entry.details["rejection_reason"] == "DISPROPORTIONATE"
    assert entry.details["policy_version"] == current_policy().version
    with pytest.raises(ValidationError):  # terminal
        review.legal_request_withdraw(actor=authority.actor, legal_request=rejected)


@pytest.mark.django_db
def test_clarification_pauses_and_resumes_the_clock(authority: Member, staff_one: Actor) -> None:
    legal_request = under_review(authority, staff_one)
    due = legal_request.due_at
    assert due is not None
    asked = review.legal_request_ask_clarification(
        actor=staff_one, legal_request=legal_request, question="Which account exactly?"
    )
    assert asked.status == S.NEEDS_INFO
    assert asked.clock_paused_at is not None
    # Two hours pass while the authority thinks.
    LegalRequest.objects.filter(pk=asked.pk).update(
        clock_paused_at=asked.clock_paused_at - timedelta(hours=2)
    )
    answered = review.legal_request_answer_clarification(
        actor=authority.actor, legal_request=asked, answer="The one named fraud_boss."
    )
    assert answered.status == S.UNDER_REVIEW
    assert answered.clock_paused_at is None
    assert timedelta(hours=2) <= answered.due_at - due < timedelta(hours=2, seconds=5)
    events = list(OutboxEvent.objects.filter(topic="legal_request.status_changed").order_by("id"))[
        -2:
    ]
    assert (events[0].payload["to"], events[0].payload["paused"]) == ("NEEDS_INFO", True)
    assert (events[1].payload["to"], events[1].payload["resumed"]) == ("UNDER_REVIEW", True)
    assert events[1].payload["paused_seconds"] >= 7200
    messages = list(
        TimelineEntry.objects.filter(legal_request=asked).values_list("message", flat=True)
    )
    assert "Which account exactly?" in messages
    assert "The one named fraud_boss." in messages


@pytest.mark.django_db
def test_approvals_given_before_a_clarification_do_not_count_after_it(
    authority: Member, staff_one: Actor, staff_two: Actor
) -> None:
    legal_request = under_review(authority, staff_one)
    analyse(staff_one, legal_request)
    review.legal_request_approve(actor=staff_one, legal_request=legal_request)
    asked = review.legal_request_ask_clarification(
        actor=staff_two, legal_request=legal_request, question="Which period exactly?"
    )
    answered = review.legal_request_answer_clarification(
        actor=authority.actor, legal_request=asked, answer="The last 30 days."
    )
    # One approval after the answer is not two: the earlier one was set aside.
    review.legal_request_approve(actor=staff_two, legal_request=answered)
    answered.refresh_from_db()
    assert answered.status == S.UNDER_REVIEW
    # The first approver may approve the request as it now stands, and that completes it.
    review.legal_request_approve(actor=staff_one, legal_request=answered)
    answered.refresh_from_db()
    assert answered.status == S.APPROVED
    assert Approval.objects.filter(legal_request=answered, set_aside_at__isnull=False).count() == 1


@pytest.mark.django_db
def test_the_authority_can_withdraw_before_fulfilment(
    authority: Member, staff_one: Actor, staff_two: Actor
) -> None:
    legal_request = approved(authority, staff_one, staff_two)
    withdrawn = review.legal_request_withdraw(actor=authority.actor, legal_request=legal_request)
    assert withdrawn.status == S.WITHDRAWN
    with pytest.raises(ValidationError):
        disclosure.legal_request_fulfil(actor=staff_one, legal_request=withdrawn)
    assert not DisclosurePackage.objects.exists()


@pytest.mark.django_db
def test_emergency_without_callback_never_yields_data(
    authority: Member, staff_one: Actor, staff_two: Actor, accounts: Any
) -> None:
    legal_request = approved(
        authority,
        staff_one,
        staff_two,
        kind="EMERGENCY_DISCLOSURE",
        legal_basis="18 U.S.C. 2702(b)(8) emergency disclosure",
    )
    assert legal_request.status == S.APPROVED
    with pytest.raises(ValidationError) as excinfo:
        disclosure.legal_request_fulfil(actor=staff_one, legal_request=legal_request)
    assert code_of(excinfo) == "release_refused"
    assert not DisclosurePackage.objects.exists()
    with pytest.raises(ValidationError):  # a callback is only recorded when confirmed
        review.legal_request_record_callback(
            actor=staff_one, legal_request=legal_request, officer_name="X", confirmed=False
        )
    callback = review.legal_request_record_callback(
        actor=staff_one, legal_request=legal_request, officer_name="KHK Weber", confirmed=True
    )
    # The number called is the organization's registered one, never one from the request.
    assert callback.phone_called == authority.organization.callback_phone
    disclosure.legal_request_fulfil(actor=staff_one, legal_request=legal_request)
    assert DisclosurePackage.objects.filter(legal_request=legal_request).exists()


@pytest.mark.django_db
def test_callback_needs_a_registered_number(authority: Member, staff_one: Actor) -> None:
    legal_request = under_review(
        authority,
        staff_one,
        kind="EMERGENCY_DISCLOSURE",
        legal_basis="18 U.S.C. 2702(b)(8) emergency disclosure",
    )
    authority.organization.callback_phone = ""
    authority.organization.save()
    with pytest.raises(ValidationError) as excinfo:
        review.legal_request_record_callback(
            actor=staff_one, legal_request=legal_request, officer_name="X", confirmed=True
        )
    assert code_of(excinfo) == "no_callback_phone"


@pytest.mark.django_db
def test_unapproved_requests_cannot_be_fulfilled(
    authority: Member, staff_one: Actor, staff_two: Actor
) -> None:
    legal_request = under_review(authority, staff_one)
    analyse(staff_one, legal_request)
    review.legal_request_approve(actor=staff_one, legal_request=legal_request)
    with pytest.raises(ValidationError):
        disclosure.legal_request_fulfil(actor=staff_two, legal_request=legal_request)
    # Even a status forced to APPROVED behind the services' back does not release data.
    LegalRequest.objects.filter(pk=legal_request.pk).update(status=S.APPROVED)
    with pytest.raises(ValidationError) as excinfo:
        disclosure.legal_request_fulfil(actor=staff_two, legal_request=legal_request)
    assert code_of(excinfo) == "release_refused"
    assert not DisclosurePackage.objects.exists()


@pytest.mark.django_db
def test_routing_through_the_switchboard_service_is_a_transition(authority: Member) -> None:
    legal_request = submit(authority)
    routed = route(legal_request)
    assert routed.status == S.ROUTED
    assert routed.handling_desk == "Law Enforcement Response EU"
    assert status_events(legal_request) == [(S.RECEIVED, S.ROUTED)]
    # A re-routing updates the desk and deadline, without a second status change.
    lifecycle.legal_request_mark_routed(
        legal_request=routed,
        desk_name="Terrorism desk",
        due_at=timezone.now() + timedelta(hours=1),
        actor_label="switchboard",
    )
    assert LegalRequest.objects.get(pk=legal_request.pk).handling_desk == "Terrorism desk"
    assert len(status_events(legal_request)) == 1


@pytest.mark.django_db
def test_demo_platform_accounts_are_seeded_once() -> None:
    from liaison.models import LoginEvent, PlatformAccount

    created = demo.platform_accounts_seed_demo()
    assert created == LoginEvent.objects.count() > 0
    assert demo.platform_accounts_seed_demo() == 0
    assert PlatformAccount.objects.filter(username="fraud_boss").exists()
