"""Every moment the staff admin shows carries UTC and the staff member's own zone beside it
(issue 12, item 5): stock list columns, read-only fields and the history page, not only the
case tool's own pages (core/admin_times.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.utils import display_for_field, display_for_value
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from core.outbox.models import DeadLetter
from core.staff import StaffProfile
from tests.factories import SuperuserFactory
from tests.signin import sign_in_staff

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
BOTH = "2026-12-01 23:30 UTC (2026-12-02 00:30 CET)"


def _staff(zone: str | None) -> Client:
    user = SuperuserFactory()
    if zone is not None:
        StaffProfile.objects.create(user=user, time_zone=zone)
    return sign_in_staff(Client(), user)


def test_stock_admin_pages_show_utc_and_the_staff_members_zone() -> None:
    letter = DeadLetter.objects.create(key="k-1", task_name="t", created_at=MOMENT)
    berlin = _staff("Europe/Berlin")
    listed = berlin.get(reverse("admin:core_deadletter_changelist")).content.decode()
    assert f'<td class="field-created_at nowrap">{BOTH}</td>' in listed
    record = berlin.get(reverse("admin:core_deadletter_change", args=[letter.pk]))
    assert f'<div class="readonly">{BOTH}</div>' in record.content.decode()
    LogEntry.objects.create(
        user=SuperuserFactory(),
        content_type=ContentType.objects.get_for_model(DeadLetter),
        object_id=str(letter.pk),
        object_repr=str(letter),
        action_flag=CHANGE,
        action_time=MOMENT,
    )
    history = berlin.get(reverse("admin:core_deadletter_history", args=[letter.pk]))
    assert f'<th scope="row">{BOTH}</th>' in history.content.decode()


def test_a_staff_member_without_a_zone_reads_utc_only_and_no_zone_leaks_between_requests() -> None:
    DeadLetter.objects.create(key="k-2", task_name="t", created_at=MOMENT)
    tokyo, utc_only = _staff("Asia/Tokyo"), _staff(None)
    # The same thread serves both, one after the other: the first's zone must not stay.
    assert (
        "(2026-12-02 08:30 JST)"
        in tokyo.get(reverse("admin:core_deadletter_changelist")).content.decode()
    )
    page = utc_only.get(reverse("admin:core_deadletter_changelist")).content.decode()
    assert '<td class="field-created_at nowrap">2026-12-01 23:30 UTC</td>' in page
    assert "JST" not in page


def test_outside_a_request_times_are_utc_and_other_values_are_djangos() -> None:
    field = DeadLetter._meta.get_field("created_at")
    assert display_for_field(MOMENT, field, "-") == "2026-12-01 23:30 UTC"
    assert display_for_value(MOMENT, "-") == "2026-12-01 23:30 UTC"
    assert display_for_field(None, field, "-") == "-"
    assert display_for_value(3, "-") == "3"
    assert display_for_field(7, DeadLetter._meta.get_field("attempts"), "-") == "7"
