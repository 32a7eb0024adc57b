"""Who of the staff sees the transparency app in admin: legal reviewers and the switchboard see
the published reports, the statements of reasons and the trusted flaggers; the policy admins and
callback officers do not (least privilege); the migration grants what the app defines; and
/metrics tells the operator when publication or the statements stall."""

from __future__ import annotations

import importlib
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from tests.factories import StaffUserFactory
from tests.fixtures import Clock
from tests.signin import sign_in_staff
from transparency import permissions

PAGES = (
    "/admin/transparency/dailyreport/",
    "/admin/transparency/statementofreasons/",
    "/admin/transparency/trustedflagger/",
)


def test_the_migration_grants_what_the_app_defines() -> None:
    migration = importlib.import_module("transparency.migrations.0008_staff_view_permissions")
    assert {name: set(perms) for name, perms in migration.GROUPS.items()} == {
        name: set(perms) for name, perms in permissions.STAFF_GROUPS.items()
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("group", "sees"),
    [
        ("legal_reviewer", True),
        ("switchboard", True),
        ("policy_admin", False),
        ("callback_officer", False),
    ],
)
def test_each_staff_group_sees_what_it_needs(group: str, sees: bool) -> None:
    client = sign_in_staff(Client(), StaffUserFactory(groups=[group]))
    for page in PAGES:
        assert client.get(page).status_code == (200 if sees else 403), (group, page)


@pytest.mark.django_db
def test_metrics_tell_when_the_daily_reports_or_the_statements_stall(
    settings: Any, clock: Clock
) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    from liaison.models import RequestStatus
    from tests.factories import LegalRequestFactory
    from transparency.models import StatementOfReasons
    from transparency.services import daily_reports_catch_up

    settings.METRICS_TOKEN = "scraper-token"

    def scraped() -> dict[str, float]:
        text = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer scraper-token").content
        return {
            sample.name: sample.value
            for family in text_string_to_metric_families(text.decode())
            for sample in family.samples
            if sample.name.startswith("transparency_")
        }

    assert scraped()["transparency_days_behind"] == -1  # nothing published yet
    LegalRequestFactory(submitted_at=clock.now - timedelta(days=3))
    daily_reports_catch_up(now=clock.now)
    assert scraped()["transparency_days_behind"] == 1  # yesterday's is the last one
    clock.advance(days=2)  # the job did not run for two days
    assert scraped()["transparency_days_behind"] == 3

    request = LegalRequestFactory(status=RequestStatus.FULFILLED)
    StatementOfReasons.objects.create(
        legal_request=request, puid="p-1", statement={}, created_at=clock.now - timedelta(hours=2)
    )
    figures = scraped()
    assert figures["transparency_statements_pending"] == 1
    assert figures["transparency_oldest_pending_statement_seconds"] == pytest.approx(7200, abs=5)
    assert figures["transparency_refused_statements"] == 0
