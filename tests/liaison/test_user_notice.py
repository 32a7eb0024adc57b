"""User notice and non-disclosure orders: the authority attaches and extends an order, staff
see from when the user may be told, the sweep lists the notices due and reminds the authority
before its order lapses. Time is injected (the `clock` fixture and `now=`)."""

from __future__ import annotations

import uuid
from datetime import UTC, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from strawberry.relay import to_base64

from core.actors import Actor
from liaison import disclosure, review, user_notice
from liaison.models import AuditEntry, LegalRequest, NonDisclosureOrder, UserNotice, WebhookDelivery
from liaison.tasks import user_notice_sweep_task
from tests.conftest import Member
from tests.factories import StaffUserFactory
from tests.fixtures import Clock, clock  # noqa: F401 - the fixture
from tests.liaison.conftest import analyse, route, submit
from tests.signin import sign_in_staff

ATTACH = """mutation($id: ID!, $basis: String!, $until: DateTime!) {
  attachNonDisclosureOrder(requestId: $id, legalBasis: $basis, until: $until) {
    __typename ... on NonDisclosureOrder { legalBasis until attachedAt extendedAt }
    ... on OperationInfo { messages { field code message } } } }"""
EXTEND = """mutation($id: ID!, $until: DateTime!) {
  extendNonDisclosureOrder(requestId: $id, until: $until) {
    __typename ... on NonDisclosureOrder { until extendedAt }
    ... on OperationInfo { messages { field code message } } } }"""
READ = """query($id: ID!) { legalRequest(id: $id) {
  nonDisclosureOrder { legalBasis until } timeline { message } } }"""
BASIS = "18 U.S.C. 2705(b) order, D.D.C."


def gid(legal_request: LegalRequest) -> str:
    return to_base64("LegalRequest", str(legal_request.pk))


def fulfilled(member: Member, one: Actor, two: Actor) -> LegalRequest:
    legal_request = route(submit(member))
    review.legal_request_start_review(actor=one, legal_request=legal_request)
    analyse(one, legal_request)
    review.legal_request_approve(actor=one, legal_request=legal_request)
    review.legal_request_approve(actor=two, legal_request=legal_request)
    return disclosure.legal_request_fulfil(actor=one, legal_request=legal_request)


@pytest.mark.django_db
def test_the_authority_attaches_an_order_through_the_api(gql: Any, authority: Member) -> None:
    legal_request = route(submit(authority))
    until = (timezone.now() + timedelta(days=90)).replace(microsecond=0)
    result = gql(
        ATTACH,
        {"id": gid(legal_request), "basis": BASIS, "until": until.isoformat()},
        token=authority.token,
    )["data"]["attachNonDisclosureOrder"]
    assert result["__typename"] == "NonDisclosureOrder", result
    assert result["legalBasis"] == BASIS
    read = gql(READ, {"id": gid(legal_request)}, token=authority.token)["data"]["legalRequest"]
    assert read["nonDisclosureOrder"]["legalBasis"] == BASIS
    assert read["timeline"][-1]["message"].startswith(f"Non-disclosure order attached ({BASIS})")
    again = gql(
        ATTACH,
        {"id": gid(legal_request), "basis": BASIS, "until": until.isoformat()},
        token=authority.token,
    )["data"]["attachNonDisclosureOrder"]
    assert again["messages"][0]["code"] == "order_exists"
    assert AuditEntry.objects.filter(action="non_disclosure_order.attached").count() == 1


@pytest.mark.parametrize(
    ("basis", "days", "field", "code"),
    [
        ("", 30, "legalBasis", "required"),
        (BASIS, -1, "until", "until_too_early"),
        (BASIS, 400, "until", "until_too_late"),
    ],
)
@pytest.mark.django_db
def test_bad_orders_are_field_errors(
    gql: Any, authority: Member, basis: str, days: int, field: str, code: str
) -> None:
    legal_request = route(submit(authority))
    until = timezone.now() + timedelta(days=days)
    result = gql(
        ATTACH,
        {"id": gid(legal_request), "basis": basis, "until": until.isoformat()},
        token=authority.token,
    )["data"]["attachNonDisclosureOrder"]
    assert [(m["field"], m["code"]) for m in result["messages"]] == [(field, code)]
    assert not NonDisclosureOrder.objects.exists()


@pytest.mark.django_db
def test_another_organizations_request_is_not_found(
    gql: Any, authority: Member, other_authority: Member
) -> None:
    foreign = route(submit(other_authority))
    until = (timezone.now() + timedelta(days=30)).isoformat()
    on_foreign = gql(
        ATTACH, {"id": gid(foreign), "basis": BASIS, "until": until}, token=authority.token
    )
    missing = to_base64("LegalRequest", str(uuid.uuid4()))
    on_missing = gql(ATTACH, {"id": missing, "basis": BASIS, "until": until}, token=authority.token)
    assert on_foreign == on_missing
    assert on_foreign["data"]["attachNonDisclosureOrder"]["messages"][0]["code"] == "not_found"
    user_notice.non_disclosure_order_attach(
        actor=other_authority.actor,
        legal_request=foreign,
        legal_basis=BASIS,
        until=timezone.now() + timedelta(days=30),
    )
    extend = gql(EXTEND, {"id": gid(foreign), "until": until}, token=authority.token)
    assert extend["data"]["extendNonDisclosureOrder"]["messages"][0]["code"] == "not_found"
    assert gql(READ, {"id": gid(foreign)}, token=authority.token) == {
        "data": {"legalRequest": None}
    }
    assert not NonDisclosureOrder.objects.visible_to(authority.actor).exists()
    assert NonDisclosureOrder.objects.visible_to(other_authority.actor).count() == 1


@pytest.mark.django_db
def test_staff_see_from_when_the_user_may_be_told(
    authority: Member, staff_one: Actor, staff_two: Actor, accounts: Any
) -> None:
    legal_request = fulfilled(authority, staff_one, staff_two)
    assert user_notice.user_notice_from(legal_request) == legal_request.fulfilled_at
    until = timezone.now() + timedelta(days=60)
    user_notice.non_disclosure_order_attach(
        actor=authority.actor, legal_request=legal_request, legal_basis=BASIS, until=until
    )
    assert user_notice.user_notice_from(legal_request) == until
    client = sign_in_staff(Client(), StaffUserFactory())
    page = client.get(f"/admin/liaison/legalrequest/{legal_request.pk}/change/").content.decode()
    section = page.split('id="user-notice"')[1].split("</fieldset>")[0]
    assert "The user may be told from <b>" in section
    assert BASIS in section
    # Not fulfilled: not before it is.
    assert user_notice.user_notice_from(route(submit(authority, reference="AZ 2/26"))) is None


@pytest.mark.django_db
def test_the_sweep_lists_notices_when_they_fall_due(
    clock: Clock,  # noqa: F811
    authority: Member,
    staff_one: Actor,
    staff_two: Actor,
    accounts: Any,
) -> None:
    free = fulfilled(authority, staff_one, staff_two)
    gagged = fulfilled(authority, staff_one, staff_two)
    user_notice.non_disclosure_order_attach(
        actor=authority.actor,
        legal_request=gagged,
        legal_basis=BASIS,
        until=clock.now + timedelta(days=30),
    )
    open_request = route(submit(authority, reference="AZ 3/26"))
    assert user_notice_sweep_task() == {"listed": 1, "reminded": 0}
    assert list(UserNotice.objects.values_list("legal_request_id", flat=True)) == [free.pk]
    assert user_notice_sweep_task() == {"listed": 0, "reminded": 0}  # once
    # The order cannot be breached: staff may not record a notice while it applies.
    clock.advance(days=29)
    assert user_notice_sweep_task()["listed"] == 0
    clock.advance(days=1, seconds=1)
    result = user_notice.user_notice_sweep()
    assert [n.legal_request_id for n in result.listed] == [gagged.pk]
    notice = UserNotice.objects.get(legal_request=gagged)
    assert notice.due_from == gagged.non_disclosure_order.until
    assert not UserNotice.objects.filter(legal_request=open_request).exists()
    user_notice.user_notice_record(actor=staff_one, notice=notice)
    assert UserNotice.objects.get(pk=notice.pk).notified_by == staff_one.user


@pytest.mark.django_db
def test_no_notice_is_recorded_while_an_order_applies(
    authority: Member, staff_one: Actor, staff_two: Actor, accounts: Any
) -> None:
    legal_request = fulfilled(authority, staff_one, staff_two)
    user_notice.user_notice_sweep()
    notice = UserNotice.objects.get()
    user_notice.non_disclosure_order_attach(
        actor=authority.actor,
        legal_request=legal_request,
        legal_basis=BASIS,
        until=timezone.now() + timedelta(days=3),
    )
    with pytest.raises(ValidationError) as refused:
        user_notice.user_notice_record(actor=staff_one, notice=notice)
    assert refused.value.code == "non_disclosure_order"


@pytest.mark.django_db
def test_the_authority_is_reminded_once_before_the_order_lapses_and_extends_it(
    clock: Clock,  # noqa: F811
    gql: Any,
    authority: Member,
) -> None:
    organization = authority.organization
    organization.webhook_url, organization.webhook_secret = "https://hooks.example/in", "s3cret"
    organization.save(update_fields=["webhook_url", "webhook_secret"])
    legal_request = route(submit(authority))
    until = clock.now + timedelta(days=10)
    user_notice.non_disclosure_order_attach(
        actor=authority.actor, legal_request=legal_request, legal_basis=BASIS, until=until
    )
    assert user_notice.user_notice_sweep().reminded == []  # 10 days ahead: not yet
    clock.advance(days=3, seconds=1)
    assert len(user_notice.user_notice_sweep().reminded) == 1
    assert user_notice.user_notice_sweep().reminded == []  # once per date
    expected = user_notice.REMINDER.format(until=f"{until.astimezone(UTC):%Y-%m-%d %H:%M}")
    read = gql(READ, {"id": gid(legal_request)}, token=authority.token)["data"]["legalRequest"]
    assert read["timeline"][-1]["message"] == expected
    hook = WebhookDelivery.objects.get(event=user_notice.EVENT_ORDER_LAPSING)
    assert '"until":' in hook.body
    later = until + timedelta(days=60)
    extended = gql(
        EXTEND, {"id": gid(legal_request), "until": later.isoformat()}, token=authority.token
    )["data"]["extendNonDisclosureOrder"]
    assert extended["__typename"] == "NonDisclosureOrder", extended
    order = NonDisclosureOrder.objects.get()
    assert order.until == later
    assert order.extensions[0]["from"] == until.isoformat()
    # An earlier date is no extension.
    shorter = gql(
        EXTEND, {"id": gid(legal_request), "until": until.isoformat()}, token=authority.token
    )["data"]["extendNonDisclosureOrder"]
    assert shorter["messages"][0]["code"] == "until_too_early"
    clock.advance(days=60)
    assert len(user_notice.user_notice_sweep().reminded) == 1  # reminded of the new date
    assert AuditEntry.objects.filter(action="non_disclosure_order.reminded").count() == 2
