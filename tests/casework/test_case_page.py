"""The case page in the staff admin: everything of a case on one page, its actions calling the
services (confirmation for irreversible ones), documents inline with audited reads, and the
regression of the ticket page's lost "Request" link."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from casework.actions import available_actions
from core.actors import staff_actor
from core.outbox import services as outbox
from core.outbox.models import OutboxEvent
from core.staff import StaffProfile
from hotline.models import Message
from liaison import documents, review
from liaison.models import Approval, AuditEntry, DisclosurePackage, LegalRequest
from liaison.submission import TargetSpec
from switchboard.models import Team, TeamMember, Ticket
from tests.casework.conftest import routed_ticket
from tests.conftest import Member
from tests.factories import StaffUserFactory, UserFactory
from tests.liaison.conftest import ALL_CHECKS, submit
from tests.signin import sign_in_staff

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def case_url(ticket: Ticket) -> str:
    return reverse("admin:casework_case_change", args=[ticket.pk])


def act(client: Client, ticket: Ticket, action: str, data: dict | None = None) -> Any:
    return client.post(
        reverse("admin:casework_case_action", args=[ticket.pk, action]), data or {}, follow=True
    )


def deliver_pending() -> None:
    """Deliver what the services emitted (on_commit never runs inside a test transaction)."""
    for event in OutboxEvent.objects.filter(delivered_at__isnull=True).order_by("pk"):
        outbox.outbox_deliver(event_id=event.pk)


def staff(*groups: str, team: Team | None = None, **fields: Any) -> Any:
    user = StaffUserFactory(**fields) if not groups else StaffUserFactory(groups=list(groups))
    if team is not None:
        TeamMember.objects.create(team=team, user=user, position=team.memberships.count())
    return user


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_ticket_page_links_its_request(policy: None, authority: Member) -> None:
    """Regression: format_html escaped the datetime to a string before the format spec
    {:%Y-%m-%d %H:%M} was applied; that raised and admin showed "Request: -"."""
    ticket = routed_ticket(submit(authority))
    client = sign_in_staff(Client(), StaffUserFactory())
    page = client.get(reverse("admin:switchboard_ticket_change", args=[ticket.pk]))
    assert page.status_code == 200
    request_url = reverse("admin:liaison_legalrequest_change", args=[ticket.legal_request_id])
    assert f'<a href="{request_url}">AZ 1/26</a>' in page.content.decode()
    assert f"submitted {ticket.legal_request.submitted_at:%Y-%m-%d %H:%M} UTC" in text(page)


def test_case_page_shows_the_whole_case(policy: None, authority: Member) -> None:
    legal_request = submit(authority)
    ticket = routed_ticket(legal_request)
    reviewer = staff(team=ticket.team)
    StaffProfile.objects.create(user=reviewer, display_name="Alex", time_zone="Europe/Berlin")
    actor = staff_actor(reviewer)
    review.legal_request_start_review(actor=actor, legal_request=legal_request)
    review.legal_analysis_record(actor=actor, legal_request=legal_request, **ALL_CHECKS)
    review.legal_request_approve(actor=actor, legal_request=legal_request)
    client = sign_in_staff(Client(), reviewer)
    page = text(client.get(case_url(ticket)))
    organization = authority.organization
    for expected in (
        "Data disclosure",
        "Under review",  # status
        ticket.team.name,
        f"the authority sees “{ticket.team.desk_name}”",
        f"{ticket.due_at:%Y-%m-%d %H:%M} UTC (",  # the deadline in UTC and the own zone beside
        "CET",
        "9d 23h",  # time left
        organization.name,
        "Verified",
        "Court order, AG Berlin",  # legal basis
        "fraud_boss",  # target
        "Targets identified",  # checklist
        "Approvals: 1 of 2</b>: given by " + reviewer.email,
        "Legal review started.",  # timeline, with the audit entries
        "legal_request.approved",
    ):
        assert expected in page, expected
    # The actions the lifecycle allows this user now, and no others.
    assert 'data-action="approve"' in page
    assert 'data-action="start"' not in page
    assert 'data-action="fulfil"' not in page


def test_case_page_reads_as_staff_read_it(policy: None, authority: Member) -> None:
    """The clock in words (not a timedelta's "10 days, 0:00:00"), the data asked for by its
    labels, and a check the kind does not need shown as not needed, not as a red "no"."""
    disclosure = routed_ticket(submit(authority))
    client = sign_in_staff(Client(), staff(team=disclosure.team))
    page = text(client.get(case_url(disclosure)))
    assert "(P4, 10 days clock)" in page
    assert "0:00:00" not in page
    assert "IP addresses, Phone number" in page
    assert "IP_ADDRESSES" not in page
    removal = routed_ticket(
        submit(
            authority,
            kind="CONTENT_REMOVAL",
            category="TERRORISM",
            reference="TCO-1",
            legal_basis="Regulation (EU) 2021/784, removal order",
            targets=[TargetSpec(kind="MESSAGE_LINK", value="https://t.me/bad_channel/42")],
            data_categories=None,
            period_start=None,
            period_end=None,
        )
    )
    page = text(client.get(case_url(removal)))
    assert "(P1, 1 hour clock)" in page
    checklist = re.search(r'<table class="case-table" id="case-checklist">(.*?)</table>', page)
    assert checklist is not None
    rows = re.findall(r"<tr><td>(.*?)</td> <td>(.*?)</td></tr>", checklist[1])
    assert len(rows) == 6
    cells = {label.split(" <span")[0]: shown for label, shown in rows}
    assert cells["Only IP addresses and phone number requested"] == (
        '<span class="case-muted">—</span>'
    )
    assert cells["Targets identified"] == '<span class="case-no">no</span>'


def test_actions_offered_follow_lifecycle_and_permissions(policy: None, authority: Member) -> None:
    ticket = routed_ticket(submit(authority))
    everyone = staff_actor(StaffUserFactory())
    assert available_actions(ticket, everyone) == [
        "acknowledge", "assign", "escalate", "start", "reply",
    ]  # fmt: skip
    callback_only = staff_actor(StaffUserFactory(groups=["callback_officer"]))
    assert available_actions(ticket, callback_only) == ["reply"]
    switchboard_only = staff_actor(StaffUserFactory(groups=["switchboard"]))
    assert available_actions(ticket, switchboard_only) == [
        "acknowledge", "assign", "escalate", "reply",
    ]  # fmt: skip
    client = sign_in_staff(Client(), switchboard_only.user)
    refused = text(act(client, ticket, "start"))
    assert "not available on this case" in refused
    assert LegalRequest.objects.get(pk=ticket.legal_request_id).status == "ROUTED"


def test_ticket_actions_from_the_case_page(policy: None, authority: Member) -> None:
    ticket = routed_ticket(submit(authority))
    first = staff(team=ticket.team)
    colleague = staff(team=ticket.team)
    outsider = UserFactory(is_staff=True)  # in the team but in no staff group
    TeamMember.objects.create(team=ticket.team, user=outsider, position=9)
    client = sign_in_staff(Client(), first)
    page = text(act(client, ticket, "acknowledge"))
    assert "Acknowledge: done." in page
    ticket.refresh_from_db()
    assert (ticket.state, ticket.assignee) == ("ACKNOWLEDGED", first)
    # Assign to a colleague of the team (the form offers the team's members).
    form = text(client.get(case_url(ticket)))
    assert f'<option value="{colleague.pk}">{colleague.email}</option>' in form
    act(client, ticket, "assign", {"assignee": colleague.pk})
    ticket.refresh_from_db()
    assert ticket.assignee == colleague
    refused = text(act(client, ticket, "assign", {"assignee": outsider.pk}))
    assert "cannot work tickets" in refused
    ticket.refresh_from_db()
    assert ticket.assignee == colleague
    # Escalation asks first; nothing happens until confirmed.
    question = text(act(client, ticket, "escalate"))
    assert "Escalate this ticket now?" in question
    assert 'name="confirmed" value="yes"' in question
    ticket.refresh_from_db()
    assert ticket.escalation_step == 0
    act(client, ticket, "escalate", {"confirmed": "yes"})
    ticket.refresh_from_db()
    assert ticket.escalation_step == 1


def test_review_through_fulfilment_with_two_staff(
    policy: None, authority: Member, accounts: Any
) -> None:
    legal_request = submit(authority)
    ticket = routed_ticket(legal_request)
    first = sign_in_staff(Client(), staff(team=ticket.team))
    second = sign_in_staff(Client(), staff(team=ticket.team))
    act(first, ticket, "start")
    checks = {name: "on" for name, value in ALL_CHECKS.items() if value is True}
    missing = text(act(first, ticket, "analysis", {**checks, "moderation_reference": ""}))
    assert "moderation reference" in missing.lower()
    act(first, ticket, "analysis", {**checks, "moderation_reference": "MOD-1"})
    # Approve: a confirmation page first, then one approval of two.
    assert "Give your approval?" in text(act(first, ticket, "approve", {"note": "ok"}))
    assert not Approval.objects.exists()
    page = text(act(first, ticket, "approve", {"note": "ok", "confirmed": "yes"}))
    assert "Approvals: 1 of 2" in page
    again = text(act(first, ticket, "approve", {"confirmed": "yes"}))
    assert "different staff member" in again
    act(second, ticket, "approve", {"confirmed": "yes"})
    legal_request.refresh_from_db()
    assert legal_request.status == "APPROVED"
    assert "Fulfil this request now?" in text(act(second, ticket, "fulfil"))
    assert not DisclosurePackage.objects.exists()
    page = text(act(second, ticket, "fulfil", {"confirmed": "yes"}))
    assert "Disclosure package produced" in page
    legal_request.refresh_from_db()
    assert legal_request.status == "FULFILLED"
    deliver_pending()  # the status event resolves the ticket
    ticket.refresh_from_db()
    assert ticket.state == "RESOLVED"


def test_reject_needs_a_reason_and_a_confirmation(policy: None, authority: Member) -> None:
    legal_request = submit(authority)
    ticket = routed_ticket(legal_request)
    client = sign_in_staff(Client(), staff(team=ticket.team))
    act(client, ticket, "start")
    bad = text(act(client, ticket, "reject", {"reason_code": "NONSENSE", "confirmed": "yes"}))
    assert "Select a valid choice" in bad
    other = text(act(client, ticket, "reject", {"reason_code": "OTHER", "confirmed": "yes"}))
    assert "Explain the rejection" in other
    legal_request.refresh_from_db()
    assert legal_request.status == "UNDER_REVIEW"
    confirm = text(act(client, ticket, "reject", {"reason_code": "SUSPECTED_FORGERY"}))
    assert "Reject this request?" in confirm
    assert "Suspected forged or fraudulent request" in confirm
    act(client, ticket, "reject", {"reason_code": "SUSPECTED_FORGERY", "confirmed": "yes"})
    legal_request.refresh_from_db()
    assert (legal_request.status, legal_request.rejection_reason) == (
        "REJECTED",
        "SUSPECTED_FORGERY",
    )


def test_clarification_and_callback(policy: None, authority: Member) -> None:
    legal_request = submit(
        authority,
        kind="EMERGENCY_DISCLOSURE",
        legal_basis="18 U.S.C. 2702(b)(8) emergency disclosure",
    )
    ticket = routed_ticket(legal_request)
    client = sign_in_staff(Client(), staff(team=ticket.team))
    act(client, ticket, "start")
    page = text(client.get(case_url(ticket)))
    assert f"Call the registered number {authority.organization.callback_phone}" in page
    act(client, ticket, "callback", {"officer_name": "KHK Weber", "confirmed": "on"})
    page = text(client.get(case_url(ticket)))
    assert "reached KHK Weber" in page
    act(client, ticket, "clarify", {"question": "Which account exactly?"})
    legal_request.refresh_from_db()
    assert legal_request.status == "NEEDS_INFO"
    deliver_pending()
    ticket.refresh_from_db()
    assert ticket.paused_at is not None
    assert "paused," in text(client.get(case_url(ticket)))


def test_hotline_read_and_reply(policy: None, authority: Member) -> None:
    legal_request = submit(authority)
    ticket = routed_ticket(legal_request)
    user = staff(team=ticket.team)
    StaffProfile.objects.create(user=user, display_name="Alex")
    client = sign_in_staff(Client(), user)
    assert "No message about this request yet." in text(client.get(case_url(ticket)))
    form = text(client.get(case_url(ticket)))
    client_id = re.search(r'name="client_message_id" value="([0-9a-f]+)"', form)
    assert client_id is not None
    data = {"body": "We are on it.", "client_message_id": client_id.group(1)}
    act(client, ticket, "reply", data)
    act(client, ticket, "reply", data)  # a resent form sends the message once
    assert Message.objects.filter(body="We are on it.").count() == 1
    message = Message.objects.get(body="We are on it.")
    assert message.conversation.legal_request_id == legal_request.pk
    assert message.author_name == f"Alex ({ticket.team.desk_name})"
    assert "We are on it." in text(client.get(case_url(ticket)))
    empty = text(act(client, ticket, "reply", {"body": " ", "client_message_id": "x1"}))
    assert "This field is required" in empty or "Write" in empty


def test_documents_open_inline_and_every_read_is_audited(policy: None, authority: Member) -> None:
    legal_request = submit(authority)
    document = documents.legal_document_attach(
        actor=authority.actor,
        legal_request_id=legal_request.pk,
        upload=SimpleUploadedFile("Beschluss.pdf", PDF, content_type="application/pdf"),
    )
    ticket = routed_ticket(legal_request)
    client = sign_in_staff(Client(), staff(team=ticket.team))
    page = text(client.get(case_url(ticket), {"document": str(document.pk)}))
    src = reverse("admin:casework_case_document", args=[ticket.pk, document.pk])
    assert f'<iframe id="document" class="case-document" title="Beschluss.pdf" src="{src}">' in page
    reads = AuditEntry.objects.filter(action="legal_document.read")
    for expected in (1, 2):
        response = client.get(src)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("inline")
        assert response["X-Frame-Options"] == "SAMEORIGIN"
        assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
        assert b"".join(response.streaming_content) == PDF
        assert reads.count() == expected
    # Another request's document is not found through this case.
    other = submit(authority, reference="AZ 2/26")
    foreign = documents.legal_document_attach(
        actor=authority.actor,
        legal_request_id=other.pk,
        upload=SimpleUploadedFile("Other.pdf", PDF, content_type="application/pdf"),
    )
    missing = client.get(reverse("admin:casework_case_document", args=[ticket.pk, foreign.pk]))
    assert missing.status_code == 404
    assert reads.count() == 2


def test_only_signed_in_staff_with_view_rights_see_cases(policy: None, authority: Member) -> None:
    ticket = routed_ticket(submit(authority))
    anonymous = Client().get(case_url(ticket))
    assert anonymous.status_code == 302
    member = Client()
    member.force_login(authority.membership.user)
    assert member.get(case_url(ticket)).status_code == 302  # not staff: to the sign-in
    no_groups = sign_in_staff(Client(), StaffUserFactory(groups=[]))
    assert no_groups.get(case_url(ticket)).status_code == 403
    staff_client = sign_in_staff(Client(), StaffUserFactory())
    assert (
        staff_client.get(reverse("admin:casework_case_change", args=[999_999])).status_code == 404
    )
    assert staff_client.get(reverse("admin:casework_case_change", args=["x"])).status_code == 404


def test_case_page_query_count_is_pinned(
    policy: None, authority: Member, django_assert_num_queries: Any
) -> None:
    legal_request = submit(authority)
    ticket = routed_ticket(legal_request)
    user = staff(team=ticket.team)
    for _ in range(3):
        staff(team=ticket.team)
    actor = staff_actor(user)
    review.legal_request_start_review(actor=actor, legal_request=legal_request)
    review.legal_analysis_record(actor=actor, legal_request=legal_request, **ALL_CHECKS)
    review.legal_request_approve(actor=actor, legal_request=legal_request)
    client = sign_in_staff(Client(), user)
    client.get(case_url(ticket))  # warm: content types, permissions caches
    with django_assert_num_queries(CASE_PAGE_QUERIES):
        assert client.get(case_url(ticket)).status_code == 200


# session, user, factor, permissions, the case (18: the ticket with the request's one-to-one
# records joined, analysis, conversation, targets, documents, approvals, callbacks, package,
# timeline, audit, colleagues, pre-flight, overlaps (2), cannot comply, held preservations,
# the hold of the callback step), profile, colleagues
CASE_PAGE_QUERIES = 26
# ... and with overlapping requests of other organizations: one more (their tickets' ids),
# whatever their number and the number of targets (test_case_legal_clocks.py).
CASE_PAGE_QUERIES_WITH_OVERLAPS = CASE_PAGE_QUERIES + 1


def test_bad_input_gets_form_errors_never_a_500(policy: None, authority: Member) -> None:
    ticket = routed_ticket(submit(authority))
    client = sign_in_staff(Client(), staff(team=ticket.team))
    bogus = act(client, ticket, "assign", {"assignee": "not-a-user"})
    assert bogus.status_code == 200
    assert "Select a valid choice" in text(bogus)
    unknown = act(client, ticket, "nonsense")
    assert "not available on this case" in text(unknown)
    # GET on an action only leads back to the case; nothing is done.
    assert (
        client.get(
            reverse("admin:casework_case_action", args=[ticket.pk, "acknowledge"])
        ).status_code
        == 302
    )
    ticket.refresh_from_db()
    assert ticket.state == "OPEN"
    too_long = act(client, ticket, "reply", {"body": "x" * 20_000, "client_message_id": "c1"})
    assert too_long.status_code == 200
    assert not Message.objects.exists()
    assert 'class="errorlist' in too_long.content.decode()
    # Another case's action URL with this case's data does nothing to this one.
    missing = client.post(reverse("admin:casework_case_action", args=[999_999, "acknowledge"]))
    assert missing.status_code == 404
