"""Getting access: the public form creates a pending organization with its evidence; staff
verify it in admin by recording a call to a number they sourced (audited); only then is the
applicant invited, by e-mail, with a one-time link. No e-mail domain verifies anyone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from console.models import AccessRequest, VerificationCall
from liaison.audit import audit_verify
from liaison.models import AuditEntry, Membership, Organization
from tests.console.conftest import PASSWORD
from tests.factories import StaffUserFactory
from tests.signin import sign_in_staff

pytestmark = pytest.mark.django_db

APPLICATION = {
    "kind": "AUTHORITY",
    "name": "Landeskriminalamt Hessen",
    "country": "DE",
    "official_domain": "www.Polizei.Hessen.de",
    "registry_identifier": "LKA-HE-0611",
    "switchboard_phone": "0611 83 0",
    "directory_source": "https://www.polizei.hessen.de/kontakt",
    "applicant_name": "Jana Weber",
    "applicant_role": "KHK, Cybercrime",
    "applicant_email": "jana.weber@polizei.hessen.de",
}


def errors_of(response: Any) -> list[tuple[str, str]]:
    return re.findall(r'class="error" id="id_(\w+?)_error\d*">([^<]*)<', response.content.decode())


def apply(client: Client, **overrides: Any) -> Any:
    return client.post("/console/request-access/", {**APPLICATION, **overrides})


def test_the_form_creates_a_pending_organization_with_its_evidence(client: Client) -> None:
    assert client.get("/console/request-access/").status_code == 200
    response = apply(client)
    assert response.status_code == 302
    assert response["Location"] == "/console/request-access/sent/"
    access_request = AccessRequest.objects.select_related("organization").get()
    organization = access_request.organization
    assert organization.verification == "PENDING"
    assert organization.callback_phone == ""  # not until staff dialled a number themselves
    assert access_request.official_domain == "polizei.hessen.de"
    assert access_request.switchboard_phone == "+49611830"  # E.164
    assert Membership.objects.count() == 0
    assert mail.outbox == []  # nobody is invited before the call
    assert AuditEntry.objects.filter(action="organization.access_requested").count() == 1


def test_the_staff_who_verify_are_told_with_the_admin_link(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    """Nobody has to watch the list: the callback officers (and superusers) get an e-mail with
    the request's admin page after commit; other staff and the applicant get nothing."""
    from tests.factories import SuperuserFactory

    caller = StaffUserFactory(groups=["callback_officer"], email="caller@platform.example")
    root = SuperuserFactory(email="root@platform.example")
    StaffUserFactory(groups=["legal_reviewer", "switchboard"], email="reviewer@platform.example")
    StaffUserFactory(groups=["callback_officer"], email="gone@platform.example", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert apply(client).status_code == 302
    access_request = AccessRequest.objects.get()
    assert len(mail.outbox) == 1
    notice = mail.outbox[0]
    assert sorted(notice.to) == [caller.email, root.email]
    assert "Landeskriminalamt Hessen" in notice.subject
    assert f"http://testserver/admin/console/accessrequest/{access_request.pk}/change/" in (
        notice.body
    )
    # A refused form tells nobody.
    with django_capture_on_commit_callbacks(execute=True):
        assert apply(client, switchboard_phone="12").status_code == 400
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"switchboard_phone": "12"}, {"switchboard_phone"}),
        ({"official_domain": "https://x"}, {"official_domain"}),
        ({"country": "XX"}, {"country"}),
        ({"name": "", "applicant_email": "nope"}, {"name", "applicant_email"}),
        ({"kind": "PIRATE"}, {"kind"}),
    ],
)
def test_bad_input_is_a_form_error_and_nothing_is_stored(
    client: Client, overrides: dict, fields: set[str]
) -> None:
    response = apply(client, **overrides)
    assert response.status_code == 400
    assert {field for field, _ in errors_of(response)} == fields
    assert Organization.objects.count() == 0


def test_staff_verify_by_a_recorded_call_and_the_applicant_joins(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    apply(client)
    access_request = AccessRequest.objects.get()
    staff = sign_in_staff(Client(), StaffUserFactory(groups=["callback_officer"]))
    change = staff.get(f"/admin/console/accessrequest/{access_request.pk}/change/")
    assert change.status_code == 200
    assert b"Record verification call" in change.content
    assert b"matches the official domain polizei.hessen.de" in change.content  # a hint only
    url = f"/admin/console/accessrequest/{access_request.pk}/record-call/"
    assert b"independent public directory" in staff.get(url).content
    bad = staff.post(url, {"dialled_number": "abc", "number_source": "", "person_reached": "x",
                           "confirmed": "yes"})  # fmt: skip
    assert bad.status_code == 400
    assert not VerificationCall.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = staff.post(
            url,
            {
                "dialled_number": "+49 611 83-0",
                "number_source": "Bundesamt Behördenverzeichnis, looked up by me",
                "person_reached": "Switchboard, then Lt. Schulz (head of cybercrime)",
                "confirmed": "yes",
                "notes": "Confirmed Jana Weber works in cybercrime and may act.",
            },
        )
    assert done.status_code == 302
    access_request.refresh_from_db()
    organization = access_request.organization
    assert access_request.state == "VERIFIED"
    assert organization.verification == "VERIFIED"
    assert organization.callback_phone == "+49611830"
    entry = AuditEntry.objects.get(action="organization.verification_call")
    assert entry.details["confirmed"] is True
    assert entry.details["number_source"].startswith("Bundesamt")
    assert audit_verify()[1] is None
    # The first member: invited by e-mail as the organization's admin, with a one-time link.
    assert [m.to for m in mail.outbox] == [["jana.weber@polizei.hessen.de"]]
    link = re.search(r"http://testserver(/console/invitations/\S+/)", mail.outbox[0].body)
    assert link
    applicant = Client()
    joined = applicant.post(link.group(1), {"password": PASSWORD, "password_again": PASSWORD})
    assert joined.status_code == 302
    membership = Membership.objects.get(user__email="jana.weber@polizei.hessen.de")
    assert membership.role == "ADMIN"
    assert membership.organization_id == organization.pk
    assert Client().get(link.group(1)).status_code == 404  # used up
    # A second call cannot flip the decision.
    again = staff.post(url, {"dialled_number": "+49611830", "number_source": "x",
                             "person_reached": "y", "confirmed": "no"})  # fmt: skip
    assert again.status_code == 400
    assert b"already verified" in again.content


def test_an_unconfirmed_call_rejects_and_invites_nobody(client: Client) -> None:
    apply(client)
    access_request = AccessRequest.objects.get()
    staff = sign_in_staff(Client(), StaffUserFactory(groups=["callback_officer"]))
    staff.post(
        f"/admin/console/accessrequest/{access_request.pk}/record-call/",
        {"dialled_number": "+49611830", "number_source": "Directory", "confirmed": "no",
         "person_reached": "Switchboard: nobody of that name"},
    )  # fmt: skip
    access_request.refresh_from_db()
    assert access_request.state == "REJECTED"
    assert access_request.organization.verification == "PENDING"
    assert mail.outbox == []


def test_only_callback_officers_record_calls(client: Client) -> None:
    apply(client)
    access_request = AccessRequest.objects.get()
    staff = sign_in_staff(Client(), StaffUserFactory(groups=["switchboard"]))
    response = staff.post(
        f"/admin/console/accessrequest/{access_request.pk}/record-call/",
        {"dialled_number": "+49611830", "number_source": "Directory", "confirmed": "yes",
         "person_reached": "Switchboard"},
    )  # fmt: skip
    assert response.status_code in (400, 403)
    access_request.refresh_from_db()
    assert access_request.state == "PENDING"
    assert not VerificationCall.objects.exists()


def test_the_public_form_is_rate_limited(client: Client, settings: Any) -> None:
    from core.redis import get_redis

    redis = get_redis()
    for key in redis.scan_iter("liaison:rl:console:access:*"):
        redis.delete(key)
    settings.CONSOLE_ACCESS_REQUESTS_PER_HOUR = 3
    for number in range(3):
        assert apply(client, name=f"Agency {number}").status_code == 302
    response = apply(client, name="One too many")
    assert response.status_code == 400
    assert b"Too many requests" in response.content
    assert Organization.objects.count() == 3


def test_from_request_for_access_to_a_routed_request_without_any_command(
    client: Client, policy: None, django_capture_on_commit_callbacks: Any
) -> None:
    """The whole way of a new authority: the public form, the staff call, the invitation, the
    second factor, the first request routed with desk and deadline."""
    from tests.signin import mark_second_factor

    apply(client)
    access_request = AccessRequest.objects.get()
    staff = sign_in_staff(Client(), StaffUserFactory(groups=["callback_officer"]))
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(
            f"/admin/console/accessrequest/{access_request.pk}/record-call/",
            {"dialled_number": "+49611830", "number_source": "Behördenverzeichnis",
             "person_reached": "Switchboard, Lt. Schulz", "confirmed": "yes"},
        )  # fmt: skip
    link = re.search(r"http://testserver(/console/invitations/\S+/)", mail.outbox[0].body)
    assert link
    officer = Client()
    officer.post(link.group(1), {"password": PASSWORD, "password_again": PASSWORD})
    assert officer.get("/console/")["Location"] == "/accounts/2fa/"  # a factor first
    session = officer.session
    mark_second_factor(session, Membership.objects.get().user)  # as the enrolment page does
    session.save()
    with django_capture_on_commit_callbacks(execute=True):
        answer = officer.post(
            "/console/requests/new/",
            {"kind": "PRESERVATION", "category": "TERRORISM", "reference": "HE-1",
             "legal_basis": "National preservation order", "jurisdiction": "DE",
             "summary": "Preserve the channel.", "target_kind_0": "CHANNEL",
             "target_value_0": "https://t.me/some_channel", "idempotency_key": "first"},
        )  # fmt: skip
    assert answer.status_code == 302, answer.content[:3000]
    page = officer.get(answer["Location"]).content.decode()
    from liaison.models import LegalRequest

    legal_request = LegalRequest.objects.get(reference="HE-1")
    assert legal_request.organization_id == access_request.organization_id
    assert legal_request.handling_desk
    assert legal_request.handling_desk in page
    assert f"{legal_request.due_at:%Y-%m-%d %H:%M} UTC" in page
