"""Trusted-flagger statistics: each NGO sees its own notices only (GraphQL), staff see every
flagger in admin, the public report counts notices from trusted flaggers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from tests.conftest import GraphQL, Member, make_member
from tests.factories import LegalRequestFactory, NgoFactory, StaffUserFactory, SuperuserFactory
from tests.signin import sign_in_staff

STATS = """query($start: Date!, $end: Date!) {
  trustedFlaggerStatistics(periodStart: $start, periodEnd: $end) {
    month category sent actioned medianSecondsToAction } }"""
RECEIVED = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
PERIOD = {"start": "2026-10-01", "end": "2026-11-30"}


def notice(
    ngo: Any,
    *,
    hours_to_action: float | None,
    category: str = "CHILD_SAFETY",
    when: datetime = RECEIVED,
) -> None:
    LegalRequestFactory(
        organization=ngo, kind="MODERATION_NOTICE", category=category, data_categories=[],
        submitted_at=when, status="FULFILLED" if hours_to_action is not None else "UNDER_REVIEW",
        fulfilled_at=None if hours_to_action is None else when + timedelta(hours=hours_to_action),
    )  # fmt: skip


@pytest.fixture
def flaggers(db: Any) -> tuple[Member, Member]:
    first, second = (
        make_member(NgoFactory(name="First Hotline")),
        make_member(NgoFactory(name="Second Hotline")),
    )
    notice(first.organization, hours_to_action=1)
    notice(first.organization, hours_to_action=3)
    notice(first.organization, hours_to_action=None)
    notice(
        first.organization,
        hours_to_action=2,
        category="TERRORISM",
        when=RECEIVED + timedelta(days=31),
    )
    for _ in range(5):
        notice(second.organization, hours_to_action=10)
    return first, second


@pytest.mark.django_db
def test_an_ngo_sees_its_own_notices_only(
    gql: GraphQL, flaggers: tuple[Member, Member], authority: Member
) -> None:
    first, second = flaggers
    rows = gql(STATS, PERIOD, token=first.token)["data"]["trustedFlaggerStatistics"]
    assert rows == [
        {
            "month": "2026-10-01",
            "category": "CHILD_SAFETY",
            "sent": 3,
            "actioned": 2,
            "medianSecondsToAction": 2 * 3600,
        },
        {
            "month": "2026-11-01",
            "category": "TERRORISM",
            "sent": 1,
            "actioned": 1,
            "medianSecondsToAction": 2 * 3600,
        },
    ]
    other = gql(STATS, PERIOD, token=second.token)["data"]["trustedFlaggerStatistics"]
    assert other == [
        {
            "month": "2026-10-01",
            "category": "CHILD_SAFETY",
            "sent": 5,
            "actioned": 5,
            "medianSecondsToAction": 10 * 3600,
        },
    ]
    # An authority's members see no flagger's notices; anonymous callers are refused.
    assert gql(STATS, PERIOD, token=authority.token)["data"]["trustedFlaggerStatistics"] == []
    anonymous = gql(STATS, PERIOD)
    assert anonymous["data"] is None
    assert anonymous["errors"]
    bad = gql(STATS, {"start": "2026-11-30", "end": "2026-10-01"}, token=first.token)
    assert bad["errors"][0]["extensions"] == {"field": "periodEnd", "code": "invalid"}


@pytest.mark.django_db
def test_staff_see_every_flagger_in_admin(flaggers: tuple[Member, Member]) -> None:
    url = "/admin/transparency/trustedflagger/?periodStart=2026-10-01&periodEnd=2026-11-30"
    page = sign_in_staff(Client(), SuperuserFactory()).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    table = html.split('data-testid="flaggers"')[1]
    assert table.index("First Hotline") < table.index("Second Hotline")
    assert "<td>4</td><td>3</td><td>75 %</td>" in table
    assert "<td>5</td><td>5</td><td>100 %</td>" in table

    bad = sign_in_staff(Client(), SuperuserFactory()).get(
        "/admin/transparency/trustedflagger/?periodStart=2020-01-01&periodEnd=2026-11-30"
    )
    assert "at most 366 days" in bad.content.decode()
    # A staff member without the view permission is refused.
    plain = StaffUserFactory()
    plain.groups.clear()
    assert sign_in_staff(Client(), plain).get(url).status_code == 403


@pytest.mark.django_db
def test_the_public_report_counts_notices_from_trusted_flaggers(
    gql: GraphQL, flaggers: tuple[Member, Member]
) -> None:
    report = gql(
        """query { transparencyReport(periodStart: "2026-10-01", periodEnd: "2026-11-30") {
             rows { kind trustedFlaggerNotices } } }"""
    )["data"]["transparencyReport"]
    assert sum(r["trustedFlaggerNotices"] for r in report["rows"]) == 9
    assert "Hotline" not in str(report)
