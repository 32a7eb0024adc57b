"""Fraud signals at intake: each signal, the hold (routed as usual, no data leaves for any
kind), the callback that lifts it, and what the authority and staff see of it."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from strawberry.relay import to_base64

from core.actors import Actor, staff_actor
from liaison import disclosure, intake_signals, review, tokens
from liaison.intake_signals import HOLD_NOTICE, HOLD_REFUSAL, SIGNAL_LABELS, VERIFIED_NOTICE
from liaison.models import (
    ApiToken,
    AuditEntry,
    DisclosurePackage,
    IntakeAssessment,
    LegalRequest,
    TokenSourceAddress,
)
from liaison.submission import TargetSpec
from tests.conftest import Member, make_member
from tests.factories import LegalRequestFactory, OrganizationFactory, StaffUserFactory
from tests.liaison.conftest import ALL_CHECKS, analyse, route, submit
from tests.signin import sign_in_staff

SUBMIT = """mutation($input: SubmitLegalRequestInput!) { submitLegalRequest(input: $input) {
  __typename ... on LegalRequest { id status verificationPending timeline { event message } }
  ... on OperationInfo { messages { field code message } } } }"""
READ = """query($id: ID!) { legalRequest(id: $id) {
  id status verificationPending timeline { event status message actor } } }"""
PACKAGE = """query($id: ID!) { disclosurePackage(requestId: $id) { requestId json } }"""


def gid(legal_request: LegalRequest) -> str:
    return to_base64("LegalRequest", str(legal_request.pk))


def token_actor(member: Member) -> Actor:
    actor = tokens.api_token_authenticate(member.token)
    assert actor is not None
    return actor


def established(member: Member) -> Actor:
    """The member's token is old, it was seen from 192.0.2.10, and the member sent before."""
    actor = token_actor(member)
    ApiToken.objects.filter(pk=actor.token_id).update(
        created_at=timezone.now() - timedelta(days=30)
    )
    TokenSourceAddress.objects.create(token_id=actor.token_id, address="192.0.2.10")
    LegalRequestFactory(
        organization=member.organization,
        submitted_by=member.membership.user,
        submitted_at=timezone.now() - timedelta(days=60),
        targets=[("USERNAME", "someone_else")],
        status="FULFILLED",
    )
    return actor


def send(member: Member, actor: Actor, address: str = "192.0.2.10", **overrides: Any) -> Any:
    from liaison import submission

    fields: dict[str, Any] = {
        "kind": "DATA_DISCLOSURE",
        "category": "FRAUD",
        "reference": "AZ 1/26",
        "legal_basis": "Court order, AG Berlin",
        "jurisdiction": "DE",
        "summary": "Investment fraud.",
        "targets": [submission.TargetSpec(kind="USERNAME", value="fraud_boss")],
        "data_categories": ["IP_ADDRESSES"],
    }
    fields.update(overrides)
    return submission.legal_request_submit(
        actor=actor, spec=submission.LegalRequestSpec(**fields), source_address=address
    )


def codes(legal_request: LegalRequest) -> list[str]:
    return [s["code"] for s in IntakeAssessment.objects.get(legal_request=legal_request).signals]


def make_held(member: Member) -> None:
    """The member's e-mail (officerN@example.org) is outside the registered domain: 40, and
    the first request: 15 -> 55, held."""
    member.organization.email_domain = "polizei.example"
    member.organization.save(update_fields=["email_domain"])


@pytest.mark.django_db
def test_an_established_member_raises_no_signal(authority: Member) -> None:
    legal_request = send(authority, established(authority))
    assessment = IntakeAssessment.objects.get(legal_request=legal_request)
    assert (assessment.score, assessment.signals, assessment.held) == (0, [], False)
    assert assessment.threshold == settings.INTAKE_HOLD_THRESHOLD


@pytest.mark.parametrize(
    ("signal", "setup", "overrides"),
    [
        ("token_new", "new_token", {}),
        ("first_request", "no_history", {}),
        ("source_address_new", None, {"address": "198.51.100.77"}),
        ("jurisdiction_foreign", None, {"jurisdiction": "FR"}),
        ("legal_basis_not_accepted", None, {"legal_basis": "Letter from the chief"}),
        ("email_outside_domain", "domain", {}),
        ("overlap_other_authority", "overlap", {}),
        ("emergency_burst", "burst", {
            "kind": "EMERGENCY_DISCLOSURE",
            "legal_basis": "18 U.S.C. 2702(b)(8) emergency disclosure",
        }),
    ],
)  # fmt: skip
@pytest.mark.django_db
def test_each_signal_fires_alone_with_its_weight(
    authority: Member, other_authority: Member, signal: str, setup: str | None, overrides: dict
) -> None:
    actor = established(authority)
    if setup == "new_token":
        ApiToken.objects.filter(pk=actor.token_id).update(
            created_at=timezone.now() - timedelta(hours=23)
        )
    elif setup == "no_history":
        LegalRequest.objects.filter(organization=authority.organization).delete()
    elif setup == "domain":
        authority.organization.email_domain = "polizei.example"
        authority.organization.save(update_fields=["email_domain"])
    elif setup == "overlap":
        LegalRequestFactory(
            organization=other_authority.organization,
            submitted_by=other_authority.membership.user,
            targets=[("USERNAME", "fraud_boss")],
            status="ROUTED",
        )
    elif setup == "burst":
        for _ in range(settings.INTAKE_EMERGENCY_BURST_COUNT - 1):
            LegalRequestFactory(
                organization=authority.organization,
                submitted_by=authority.membership.user,
                kind="EMERGENCY_DISCLOSURE",
                submitted_at=timezone.now() - timedelta(minutes=30),
                targets=[("USERNAME", "another_one")],
            )
    actor.organization.refresh_from_db()
    address = overrides.pop("address", "192.0.2.10")
    legal_request = send(authority, actor, address, **overrides)
    assert codes(legal_request) == [signal]
    assessment = IntakeAssessment.objects.get(legal_request=legal_request)
    assert assessment.score == settings.INTAKE_SIGNAL_WEIGHTS[signal]


@pytest.mark.django_db
def test_signals_that_do_not_fire(authority: Member, other_authority: Member) -> None:
    actor = established(authority)
    # Cross-border instrument: another jurisdiction is ordinary; a member inside the domain.
    authority.organization.email_domain = "example.org"
    authority.organization.save(update_fields=["email_domain"])
    legal_request = send(
        authority,
        actor,
        jurisdiction="FR",
        legal_basis="European Production Order (Reg. (EU) 2023/1543)",
    )
    assert codes(legal_request) == []
    # An old, closed request of another authority (more than 90 days ago) is no overlap;
    # four emergencies in the window are no burst, and one outside the window does not count.
    LegalRequestFactory(
        organization=other_authority.organization,
        targets=[("USERNAME", "fraud_boss")],
        status="FULFILLED",
        submitted_at=timezone.now() - timedelta(days=91),
    )
    for minutes in (10, 20, 30, 61):
        LegalRequestFactory(
            organization=authority.organization,
            kind="EMERGENCY_DISCLOSURE",
            submitted_at=timezone.now() - timedelta(minutes=minutes),
            targets=[("USERNAME", "another_one")],
        )
    emergency = send(
        authority,
        actor,
        kind="EMERGENCY_DISCLOSURE",
        legal_basis="18 U.S.C. 2702(b)(8) emergency disclosure",
    )
    assert codes(emergency) == []


@pytest.mark.django_db
def test_a_new_address_is_remembered_for_its_token(authority: Member) -> None:
    actor = established(authority)
    first = send(authority, actor, "198.51.100.77")
    second = send(authority, actor, "198.51.100.77", reference="AZ 2/26")
    assert codes(first) == ["source_address_new"]
    assert codes(second) == []
    assert TokenSourceAddress.objects.filter(token_id=actor.token_id).count() == 2


@pytest.mark.django_db
def test_a_held_request_is_routed_but_releases_no_data_until_the_callback(
    gql: Any, authority: Member, staff_one: Actor, staff_two: Actor, accounts: Any
) -> None:
    make_held(authority)
    legal_request = submit(authority)
    assessment = IntakeAssessment.objects.get(legal_request=legal_request)
    assert assessment.held
    assert assessment.score >= assessment.threshold
    assert legal_request.status == "RECEIVED"  # a hold is not a status
    route(legal_request)  # routed at once, like any other
    review.legal_request_start_review(actor=staff_one, legal_request=legal_request)
    analyse(staff_one, legal_request)
    review.legal_request_approve(actor=staff_one, legal_request=legal_request)
    review.legal_request_approve(actor=staff_two, legal_request=legal_request)
    legal_request.refresh_from_db()
    assert legal_request.status == "APPROVED"
    with pytest.raises(ValidationError) as refused:
        disclosure.legal_request_fulfil(actor=staff_one, legal_request=legal_request)
    assert refused.value.messages == [HOLD_REFUSAL]
    assert not DisclosurePackage.objects.exists()
    assert gql(PACKAGE, {"id": gid(legal_request)}, token=authority.token) == {
        "data": {"disclosurePackage": None}
    }
    # The callback to the registered number lifts the hold; then the package leaves.
    review.legal_request_record_callback(
        actor=staff_one, legal_request=legal_request, officer_name="KHK Weber", confirmed=True
    )
    assessment.refresh_from_db()
    assert assessment.verified_at is not None
    assert assessment.verified_by_callback is not None
    disclosure.legal_request_fulfil(actor=staff_one, legal_request=legal_request)
    package = gql(PACKAGE, {"id": gid(legal_request)}, token=authority.token)
    assert package["data"]["disclosurePackage"]["requestId"] == gid(legal_request)
    assert AuditEntry.objects.filter(action="legal_request.held_for_verification").count() == 1
    assert AuditEntry.objects.filter(action="legal_request.verification_completed").count() == 1


@pytest.mark.django_db
def test_a_package_made_before_a_hold_is_not_read_while_held(
    gql: Any, authority: Member, staff_one: Actor, staff_two: Actor, accounts: Any
) -> None:
    """Every read checks the hold, not only fulfilment (a hold recorded later, say by staff
    re-assessing, stops the reads too)."""
    legal_request = route(submit(authority))
    review.legal_request_start_review(actor=staff_one, legal_request=legal_request)
    analyse(staff_one, legal_request)
    review.legal_request_approve(actor=staff_one, legal_request=legal_request)
    review.legal_request_approve(actor=staff_two, legal_request=legal_request)
    disclosure.legal_request_fulfil(actor=staff_one, legal_request=legal_request)
    assert gql(PACKAGE, {"id": gid(legal_request)}, token=authority.token)["data"][
        "disclosurePackage"
    ]
    IntakeAssessment.objects.filter(legal_request=legal_request).update(held=True)
    assert gql(PACKAGE, {"id": gid(legal_request)}, token=authority.token) == {
        "data": {"disclosurePackage": None}
    }
    refused = AuditEntry.objects.filter(action="disclosure_package.refused").get()
    assert refused.details["refusal"] == HOLD_REFUSAL


@pytest.mark.parametrize(
    ("kind", "legal_basis", "category"),
    [
        ("CONTENT_REMOVAL", "Removal order (Reg. (EU) 2021/784, Art. 3)", "TERRORISM"),
        ("PRESERVATION", "National preservation order", "FRAUD"),
    ],
)
@pytest.mark.django_db
def test_no_kind_is_fulfilled_while_held(
    authority: Member, staff_one: Actor, kind: str, legal_basis: str, category: str
) -> None:
    make_held(authority)
    legal_request = route(
        submit(
            authority,
            kind=kind,
            category=category,
            legal_basis=legal_basis,
            data_categories=None,
            period_start=None,
            period_end=None,
        )
    )
    review.legal_request_start_review(actor=staff_one, legal_request=legal_request)
    analyse(staff_one, legal_request)
    review.legal_request_approve(actor=staff_one, legal_request=legal_request)
    with pytest.raises(ValidationError) as refused:
        disclosure.legal_request_fulfil(actor=staff_one, legal_request=legal_request)
    assert refused.value.messages == [HOLD_REFUSAL]
    # Not through the one transition service either.
    from liaison import lifecycle

    with pytest.raises(ValidationError) as moved:
        lifecycle.legal_request_transition(
            actor=staff_one, legal_request=legal_request, to_status="FULFILLED", reason="x"
        )
    assert moved.value.messages == [HOLD_REFUSAL]
    review.legal_request_record_callback(
        actor=staff_one, legal_request=legal_request, officer_name="EKHK Braun", confirmed=True
    )
    assert (
        disclosure.legal_request_fulfil(actor=staff_one, legal_request=legal_request).status
        == "FULFILLED"
    )


@pytest.mark.django_db
def test_the_authority_sees_that_verification_is_under_way_never_the_signals(
    gql: Any, authority: Member, staff_one: Actor
) -> None:
    make_held(authority)
    now = timezone.now()
    result = gql(
        SUBMIT,
        {
            "input": {
                "kind": "DATA_DISCLOSURE",
                "category": "FRAUD",
                "reference": "AZ 7/26",
                "legalBasis": "Letter from the chief",
                "jurisdiction": "FR",
                "summary": "Fraud.",
                "targets": [{"kind": "USERNAME", "value": "fraud_boss"}],
                "dataCategories": ["IP_ADDRESSES"],
                "periodStart": (now - timedelta(days=3)).isoformat(),
                "periodEnd": (now - timedelta(minutes=1)).isoformat(),
            }
        },
        token=authority.token,
    )["data"]["submitLegalRequest"]
    assert result["__typename"] == "LegalRequest", result
    assert result["verificationPending"] is True
    assert {"event": "VERIFICATION", "message": HOLD_NOTICE} in result["timeline"]
    legal_request = LegalRequest.objects.get()
    fired = codes(legal_request)
    # Through the API: the token is new, the member's first request, a new address, and more.
    assert {"token_new", "first_request", "source_address_new", "email_outside_domain",
            "jurisdiction_foreign", "legal_basis_not_accepted"} <= set(fired)  # fmt: skip
    assert IntakeAssessment.objects.get().source_address == "127.0.0.1"
    route(legal_request)
    review.legal_request_start_review(actor=staff_one, legal_request=legal_request)
    read = gql(READ, {"id": gid(legal_request)}, token=authority.token)
    text = json.dumps(read).casefold()
    for code in fired:
        assert code not in text
        assert SIGNAL_LABELS[code].casefold() not in text
    assert "score" not in text
    assert "127.0.0.1" not in text
    review.legal_request_record_callback(
        actor=staff_one, legal_request=legal_request, officer_name="KHK Weber", confirmed=True
    )
    read = gql(READ, {"id": gid(legal_request)}, token=authority.token)["data"]["legalRequest"]
    assert read["verificationPending"] is False
    assert read["timeline"][-1]["message"] == VERIFIED_NOTICE


@pytest.mark.django_db
def test_assessments_are_staff_only(authority: Member, other_authority: Member, gql: Any) -> None:
    make_held(authority)
    legal_request = submit(authority)
    assert not IntakeAssessment.objects.visible_to(authority.actor).exists()
    assert not IntakeAssessment.objects.visible_to(other_authority.actor).exists()
    staff = staff_actor(StaffUserFactory())
    assert IntakeAssessment.objects.visible_to(staff).count() == 1
    # verificationPending of another organization's request: the request is not found.
    foreign = gql(READ, {"id": gid(legal_request)}, token=other_authority.token)
    assert foreign == {"data": {"legalRequest": None}}


@pytest.mark.django_db
def test_staff_see_the_hold_in_the_list_and_on_the_request(authority: Member) -> None:
    quiet = make_member(OrganizationFactory())
    calm = submit(quiet, targets=[TargetSpec(kind="USERNAME", value="someone_else")])
    make_held(authority)
    held = route(submit(authority))
    client = sign_in_staff(Client(), StaffUserFactory())
    listing = client.get("/admin/liaison/legalrequest/?held=yes").content.decode()
    assert held.reference in listing
    assert f"/{calm.pk}/change/" not in listing
    assert "HELD for verification (score 55)" in listing
    assert "member e-mail outside the organization&#x27;s registered domain" in listing
    page = client.get(f"/admin/liaison/legalrequest/{held.pk}/change/").content.decode()
    assert "Intake signals: HELD FOR VERIFICATION" in page
    assert "officer" in page
    assert "is not in polizei.example" in page
    # The callback step is offered for a held data disclosure (not only for emergencies).
    review.legal_request_start_review(actor=staff_actor(StaffUserFactory()), legal_request=held)
    page = client.get(f"/admin/liaison/legalrequest/{held.pk}/change/").content.decode()
    assert f"/admin/liaison/legalrequest/{held.pk}/review/callback/" in page
    client.post(
        f"/admin/liaison/legalrequest/{held.pk}/review/callback/",
        {"officer_name": "KHK Weber", "confirmed": "on"},
    )
    assert not intake_signals.is_held(held)
    assert (
        client.get("/admin/liaison/legalrequest/?held=yes")
        .content.decode()
        .count(f"/{held.pk}/change/")
        == 0
    )


@pytest.mark.django_db
def test_admin_fulfil_of_a_held_request_is_refused(
    authority: Member, staff_one: Actor, staff_two: Actor, accounts: Any
) -> None:
    make_held(authority)
    legal_request = route(submit(authority))
    review.legal_request_start_review(actor=staff_one, legal_request=legal_request)
    review.legal_analysis_record(actor=staff_one, legal_request=legal_request, **ALL_CHECKS)
    review.legal_request_approve(actor=staff_one, legal_request=legal_request)
    review.legal_request_approve(actor=staff_two, legal_request=legal_request)
    client = sign_in_staff(Client(), StaffUserFactory())
    page = client.post(
        f"/admin/liaison/legalrequest/{legal_request.pk}/review/fulfil/",
        {"confirm": "on"},
        follow=True,
    ).content.decode()
    assert "Held for verification" in page
    legal_request.refresh_from_db()
    assert legal_request.status == "APPROVED"
    assert not DisclosurePackage.objects.exists()


@pytest.mark.django_db
def test_a_named_instrument_decides_cross_border_and_its_accepted_bases(
    authority: Member,
) -> None:
    actor = established(authority)
    # A German authority naming a treaty request for France: a foreign jurisdiction is ordinary.
    mlat = send(authority, actor, jurisdiction="FR", legal_basis="MLAT request", instrument="MLAT")
    assert codes(mlat) == []
    # The same wording without naming it: the instrument inferred from the jurisdiction cannot
    # vouch for that jurisdiction, so only the basis's own wording counts.
    inferred = send(authority, actor, jurisdiction="FR", legal_basis="Court order, AG Berlin")
    assert intake_signals.SignalCode.JURISDICTION_FOREIGN in codes(inferred)
    # A named EPOC resting on a national court order: a basis the instrument does not accept.
    epoc = send(authority, actor, legal_basis="Court order, AG Berlin", instrument="EU_EPOC")
    assert intake_signals.SignalCode.LEGAL_BASIS_NOT_ACCEPTED in codes(epoc)


@pytest.mark.django_db
def test_answers_about_the_targets_wait_for_the_callback_too(
    gql: Any, authority: Member, staff_one: Actor
) -> None:
    """Answers "no such account", "no rule broken" and Annex III "data not stored" tell a forger
    as much as a package: while held they are refused (a field error), and the authority's
    timeline says nothing about the targets; answers about the order itself may be given."""
    from liaison import cannot_comply
    from liaison.intake_signals import TARGET_ANSWER_REFUSAL

    make_held(authority)
    legal_request = route(submit(authority))
    review.legal_request_start_review(actor=staff_one, legal_request=legal_request)
    for reason_code in ("TARGET_NOT_IDENTIFIED", "NO_RULE_VIOLATION"):
        with pytest.raises(ValidationError) as refused:
            review.legal_request_reject(
                actor=staff_one, legal_request=legal_request, reason_code=reason_code
            )
        [error] = refused.value.error_dict["reason_code"]
        assert (error.code, error.message) == ("held_for_verification", TARGET_ANSWER_REFUSAL)
    with pytest.raises(ValidationError) as not_stored:
        cannot_comply.legal_request_cannot_comply(
            actor=staff_one,
            legal_request=legal_request,
            ground="DATA_NOT_STORED",
            explanation="The account was deleted in 2024.",
        )
    assert [e.code for e in not_stored.value.error_dict["ground"]] == ["held_for_verification"]
    seen = gql(READ, {"id": gid(legal_request)}, token=authority.token)["data"]["legalRequest"]
    assert seen["status"] == "UNDER_REVIEW"
    assert not any("Target" in e["message"] or "deleted" in e["message"] for e in seen["timeline"])

    # An answer about the order itself is not held back ...
    notice = cannot_comply.legal_request_cannot_comply(
        actor=staff_one,
        legal_request=legal_request,
        ground="INCOMPLETE",
        explanation="The order names no court.",
    )
    cannot_comply.legal_request_correct(
        actor=authority.actor, legal_request=notice.legal_request, correction="Court added."
    )
    # ... and after the callback the answer about the targets is given.
    review.legal_request_record_callback(
        actor=staff_one, legal_request=legal_request, officer_name="KHK Weber", confirmed=True
    )
    rejected = review.legal_request_reject(
        actor=staff_one, legal_request=legal_request, reason_code="TARGET_NOT_IDENTIFIED"
    )
    assert rejected.status == "REJECTED"


@pytest.mark.django_db
def test_a_held_request_is_rejected_in_admin_with_the_error_on_the_reason(
    authority: Member,
) -> None:
    make_held(authority)
    legal_request = route(submit(authority))
    reviewer = StaffUserFactory()
    review.legal_request_start_review(actor=staff_actor(reviewer), legal_request=legal_request)
    browser = sign_in_staff(Client(), reviewer)
    response = browser.post(
        f"/admin/liaison/legalrequest/{legal_request.pk}/review/reject/",
        {"reason_code": "NO_RULE_VIOLATION", "note": ""},
    )
    assert response.status_code == 200  # the form again, not a redirect
    assert response.context["form"].errors["reason_code"][0].startswith("Held for verification")
    legal_request.refresh_from_db()
    assert legal_request.status == "UNDER_REVIEW"
