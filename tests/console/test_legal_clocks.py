"""The console on the law's clocks (issue 10 in the console): the instrument on the submission
form (named or inferred) and the preservation a production request names; on the request
page the paused clock, the preservation and its one extension, cannot-comply with its
correction, the non-disclosure order, "no data held" and verification under way; "paused" in
the list. Every form calls the API's service: its messages become field errors, nothing is
half-stored, another organization's id is 404."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from core.actors import Actor
from liaison import cannot_comply, disclosure, review, submission
from liaison.models import (
    IntakeAssessment,
    LegalRequest,
    NoDataDecision,
    NonDisclosureOrder,
    Preservation,
)
from tests.conftest import Member
from tests.console.conftest import console_client
from tests.console.test_signin_and_requests import errors_of, form_data
from tests.liaison.conftest import analyse, route, submit, under_review

pytestmark = pytest.mark.django_db


def page_of(browser: Client, legal_request: LegalRequest) -> str:
    response = browser.get(f"/console/requests/{legal_request.pk}/")
    assert response.status_code == 200
    return unescape(response.content.decode())


def preserved(member: Member, staff: Actor, reference: str = "PRES-1") -> LegalRequest:
    """A US 2703(f) preservation of `member`'s organization, worked through to FULFILLED."""
    legal_request = submission.legal_request_submit(
        actor=member.actor,
        spec=submission.LegalRequestSpec(
            kind="PRESERVATION",
            category="FRAUD",
            reference=reference,
            legal_basis="18 U.S.C. 2703(f) preservation request",
            jurisdiction="US",
            summary="Preserve the account while we obtain a warrant.",
            targets=[submission.TargetSpec(kind="USERNAME", value="fraud_boss")],
        ),
    )
    legal_request = review.legal_request_start_review(
        actor=staff, legal_request=route(legal_request)
    )
    analyse(staff, legal_request)
    review.legal_request_approve(actor=staff, legal_request=legal_request)
    legal_request.refresh_from_db()
    # A US preservation from a German authority is held until the callback (intake signals).
    review.legal_request_record_callback(
        actor=staff, legal_request=legal_request, officer_name="KHK Weber", confirmed=True
    )
    return disclosure.legal_request_fulfil(actor=staff, legal_request=legal_request)


# The submission form -----------------------------------------------------------------------


def test_the_form_offers_the_instruments_of_the_organizations_kinds(
    officer: Member, browser: Client, ngo_admin: Member
) -> None:
    page = browser.get("/console/requests/new/").content.decode()
    assert 'value="EU_EPOC"' in page
    assert 'value="TCO_REMOVAL_ORDER"' in page
    assert "Infer it from kind and country" in page
    assert "Reg. (EU) 2023/1543, Art. 10(2)" in page  # the clock's source, from the table
    ngo_page = console_client(ngo_admin).get("/console/requests/new/").content.decode()
    assert 'value="TRUSTED_FLAGGER_NOTICE"' in ngo_page
    assert 'value="EU_EPOC"' not in ngo_page


@pytest.mark.parametrize(
    ("instrument", "shown"),
    [("", "European Production Order (Reg. (EU) 2023/1543) (inferred from kind and country)"),
     ("NATIONAL_COURT_ORDER", "National court order (named by you)")],
)  # fmt: skip
def test_submit_names_or_infers_the_instrument(
    policy: None, officer: Member, browser: Client, django_capture_on_commit_callbacks: Any,
    instrument: str, shown: str,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post("/console/requests/new/", form_data(instrument=instrument))
    assert response.status_code == 302, errors_of(response)
    legal_request = LegalRequest.objects.get()
    assert legal_request.instrument == (instrument or "EU_EPOC")
    page = unescape(browser.get(response["Location"]).content.decode())
    assert shown in page
    legal_request.refresh_from_db()
    assert legal_request.handling_desk in page
    assert f"{legal_request.due_at:%Y-%m-%d %H:%M} UTC" in page


def test_an_instrument_that_does_not_fit_is_the_apis_field_error(
    officer: Member, browser: Client, gql: Any
) -> None:
    response = browser.post("/console/requests/new/", form_data(instrument="US_2703D_WARRANT"))
    assert response.status_code == 400
    errors = [(field, unescape(message)) for field, message in errors_of(response)]
    assert [field for field, _ in errors] == ["instrument"]
    assert errors[0][1] == (
        "18 U.S.C. 2703(d) order or warrant is issued only by authorities of the United States, "
        "not DE."
    )
    unknown = browser.post("/console/requests/new/", form_data(instrument="NO_SUCH_THING"))
    assert [field for field, _ in errors_of(unknown)] == ["instrument"]
    assert LegalRequest.objects.count() == 0


def test_a_production_request_names_its_preservation(
    officer: Member, browser: Client, staff_one: Actor, foreigner: Member
) -> None:
    own = preserved(officer, staff_one)
    foreign = preserved(foreigner, staff_one, reference="THEIRS")
    page = browser.get("/console/requests/new/").content.decode()
    assert f'value="{own.pk}"' in page
    assert f'value="{foreign.pk}"' not in page
    for bad in (str(foreign.pk), "not-an-id"):
        response = browser.post("/console/requests/new/", form_data(preservation=bad))
        assert response.status_code == 400
        assert errors_of(response) == [
            ("preservation", "No preservation of your organization with this id.")
        ]
    not_production = browser.post(
        "/console/requests/new/",
        form_data(kind="CONTENT_REMOVAL", data_categories=[], preservation=str(own.pk),
                  target_kind_0="USERNAME", category="TERRORISM"),
    )  # fmt: skip
    assert ("preservation", "Only a production (disclosure) request can name a preservation.") in (
        errors_of(not_production)
    )
    assert LegalRequest.objects.filter(organization=officer.organization).count() == 1
    response = browser.post("/console/requests/new/", form_data(preservation=str(own.pk)))
    assert response.status_code == 302, errors_of(response)
    production = LegalRequest.objects.get(reference="AZ 7/26")
    assert Preservation.objects.get(legal_request=own).production_request == production
    assert Preservation.objects.get(legal_request=foreign).production_request is None


# The request list and page -------------------------------------------------------------------


def test_a_paused_request_is_paused_in_the_list_and_on_its_page(
    officer: Member, browser: Client, staff_one: Actor
) -> None:
    paused = under_review(officer, staff_one, reference="PAUSED-1")
    review.legal_request_ask_clarification(
        actor=staff_one, legal_request=paused, question="Which court?"
    )
    paused.refresh_from_db()
    assert paused.clock_paused_at is not None
    LegalRequest.objects.filter(pk=paused.pk).update(due_at=timezone.now() - timedelta(hours=1))
    running = submit(officer, reference="RUNNING-1")
    listing = browser.get("/console/").content.decode()
    row = re.search(r"PAUSED-1.*?</tr>", listing, re.S)
    assert row
    assert "Paused" in row.group(0)
    assert "overdue" not in row.group(0)
    only_paused = browser.get("/console/?due=paused").content.decode()
    assert "PAUSED-1" in only_paused
    assert "RUNNING-1" not in only_paused
    assert "PAUSED-1" not in browser.get("/console/?due=overdue").content.decode()
    combined = browser.get("/console/?due=paused&status=ROUTED").content.decode()
    assert "PAUSED-1" not in combined  # the other filters still apply
    page = page_of(browser, paused)
    assert "Clock paused since" in page
    assert f"{paused.clock_paused_at:%Y-%m-%d %H:%M} UTC" in page
    assert "Clock paused since" not in page_of(browser, running)


def test_extend_a_preservation_once(
    officer: Member, browser: Client, staff_one: Actor, foreigner: Member
) -> None:
    legal_request = preserved(officer, staff_one)
    record = Preservation.objects.get()
    until = record.preserved_until
    page = page_of(browser, legal_request)
    assert f"{until:%Y-%m-%d %H:%M} UTC" in page
    assert "Extend the preservation" in page
    url = f"/console/requests/{legal_request.pk}/preservation/extend/"
    unconfirmed = browser.post(url, {})
    assert unconfirmed.status_code == 400
    assert errors_of(unconfirmed) == [("confirm", "This field is required.")]
    assert Preservation.objects.get().extensions == 0
    assert browser.post(url, {"confirm": "on"}).status_code == 302
    record.refresh_from_db()
    assert (record.extensions, record.preserved_until) == (1, until + timedelta(days=90))
    page = page_of(browser, legal_request)
    assert f"{record.preserved_until:%Y-%m-%d %H:%M} UTC" in page
    assert "Extend the preservation" not in page
    again = browser.post(url, {"confirm": "on"})  # a stale page, a second click
    assert again.status_code == 400
    assert "This preservation was already extended once" in unescape(again.content.decode())
    record.refresh_from_db()
    assert record.extensions == 1
    theirs = preserved(foreigner, staff_one, reference="THEIRS")
    url = f"/console/requests/{theirs.pk}/preservation/extend/"
    assert browser.post(url, {"confirm": "on"}).status_code == 404
    assert Preservation.objects.get(legal_request=theirs).extensions == 0


def test_correct_a_request_that_cannot_be_executed(
    officer: Member, browser: Client, staff_one: Actor, foreigner: Member
) -> None:
    legal_request = under_review(officer, staff_one)
    cannot_comply.legal_request_cannot_comply(
        actor=staff_one,
        legal_request=legal_request,
        ground="INSUFFICIENT_INFORMATION",
        explanation="The order names no court.",
    )
    page = page_of(browser, legal_request)
    assert "The order does not contain sufficient information to execute it" in page
    assert "The order names no court." in page
    assert "Withdraw instead" in page
    assert "Send answer" not in page  # the correction answers it, not a clarification
    url = f"/console/requests/{legal_request.pk}/correct/"
    blank = browser.post(url, {"correction": " ", "legal_basis": "New basis"})
    assert blank.status_code == 400
    assert errors_of(blank) == [("correction", "Say what you corrected.")]
    too_long = browser.post(url, {"correction": "Basis", "legal_basis": "x" * 301})
    assert errors_of(too_long) == [("legal_basis", "At most 300 characters.")]
    legal_request.refresh_from_db()
    assert (legal_request.status, legal_request.legal_basis) == (
        "NEEDS_INFO",
        "Court order, AG Berlin",
    )
    response = browser.post(
        url, {"correction": "Named the court.", "legal_basis": "Court order, AG Tiergarten"}
    )
    assert response.status_code == 302
    legal_request.refresh_from_db()
    assert (legal_request.status, legal_request.legal_basis) == (
        "UNDER_REVIEW", "Court order, AG Tiergarten",
    )  # fmt: skip
    assert "Corrected by the authority" in page_of(browser, legal_request)
    again = browser.post(url, {"correction": "Once more."})
    assert again.status_code == 400
    assert "no open cannot-comply answer" in again.content.decode()
    # Another organization's refused request: 404, untouched.
    theirs = under_review(foreigner, staff_one, reference="THEIRS")
    cannot_comply.legal_request_cannot_comply(
        actor=staff_one, legal_request=theirs, ground="INCOMPLETE", explanation="No date."
    )
    url = f"/console/requests/{theirs.pk}/correct/"
    assert browser.post(url, {"correction": "Mine now"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "NEEDS_INFO"


def test_attach_and_extend_a_non_disclosure_order(
    officer: Member, browser: Client, foreigner: Member
) -> None:
    legal_request = submit(officer)
    url = f"/console/requests/{legal_request.pk}/non-disclosure/"
    later = timezone.now() + timedelta(days=90)
    past = browser.post(url, {"legal_basis": "18 U.S.C. 2705(b)", "until": "2020-01-01T00:00"})
    assert past.status_code == 400
    assert [field for field, _ in errors_of(past)] == ["until"]
    no_basis = browser.post(url, {"legal_basis": "", "until": f"{later:%Y-%m-%dT%H:%M}"})
    assert [field for field, _ in errors_of(no_basis)] == ["legal_basis"]
    garbage = browser.post(url, {"legal_basis": "2705(b)", "until": "soon"})
    assert [field for field, _ in errors_of(garbage)] == ["until"]
    assert not NonDisclosureOrder.objects.exists()
    response = browser.post(
        url, {"legal_basis": "18 U.S.C. 2705(b)", "until": f"{later:%Y-%m-%dT%H:%M}"}
    )
    assert response.status_code == 302
    order = NonDisclosureOrder.objects.get()
    assert order.until == later.replace(second=0, microsecond=0)
    page = page_of(browser, legal_request)
    assert f"{order.until:%Y-%m-%d %H:%M} UTC" in page
    assert "Extend the order" in page
    earlier = browser.post(url, {"until": f"{later - timedelta(days=1):%Y-%m-%dT%H:%M}"})
    assert earlier.status_code == 400
    assert [field for field, _ in errors_of(earlier)] == ["until"]
    further = later + timedelta(days=30)
    assert browser.post(url, {"until": f"{further:%Y-%m-%dT%H:%M}"}).status_code == 302
    order.refresh_from_db()
    assert (order.until, order.legal_basis) == (
        further.replace(second=0, microsecond=0), "18 U.S.C. 2705(b)",
    )  # fmt: skip
    assert len(order.extensions) == 1
    theirs = submit(foreigner, reference="THEIRS", jurisdiction="FR")
    url = f"/console/requests/{theirs.pk}/non-disclosure/"
    posted = browser.post(url, {"legal_basis": "Mine", "until": f"{later:%Y-%m-%dT%H:%M}"})
    assert posted.status_code == 404
    assert not NonDisclosureOrder.objects.filter(legal_request=theirs).exists()


def test_no_data_held_and_verification_under_way_never_the_signals(
    officer: Member, browser: Client, staff_one: Actor
) -> None:
    legal_request = submit(officer)
    IntakeAssessment.objects.update_or_create(
        legal_request=legal_request,
        defaults={
            "held": True,
            "score": 90,
            "threshold": 50,
            "signals": [{"code": "TOKEN_YOUNG", "weight": 90, "detail": "secret-detail"}],
        },
    )
    page = page_of(browser, legal_request)
    assert "Verification under way" in page
    assert "TOKEN_YOUNG" not in page
    assert "secret-detail" not in page
    assert "No data held" not in page
    NoDataDecision.objects.create(legal_request=legal_request, decided_by=staff_one.user)
    IntakeAssessment.objects.filter(legal_request=legal_request).update(verified_at=timezone.now())
    page = page_of(browser, legal_request)
    assert "No data held" in page
    assert "Verification under way" not in page


def test_the_console_speaks_the_browsers_language(
    officer: Member, browser: Client, staff_one: Actor
) -> None:
    legal_request = under_review(officer, staff_one)
    review.legal_request_ask_clarification(
        actor=staff_one, legal_request=legal_request, question="Which court?"
    )
    german = unescape(
        browser.get("/console/requests/new/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    )
    assert "Neues Ersuchen" in german
    assert "Rechtsinstrument" in german  # a form label
    assert "Aus Art und Land ableiten" in german  # the "infer it" choice
    french = browser.get(f"/console/requests/{legal_request.pk}/", HTTP_ACCEPT_LANGUAGE="fr")
    page = unescape(french.content.decode())
    assert '<html lang="fr">' in page
    assert "Délai suspendu depuis" in page
    assert "Envoyer la réponse" in page
