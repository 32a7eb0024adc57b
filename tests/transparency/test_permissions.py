"""Who of the staff sees the transparency app in admin: legal reviewers and the switchboard see
the published reports, the statements of reasons and the trusted flaggers; the policy admins and
callback officers do not (least privilege); the migration grants what the app defines."""

from __future__ import annotations

import importlib

import pytest
from django.test import Client

from tests.factories import StaffUserFactory
from tests.signin import sign_in_staff
from transparency import permissions

PAGES = (
    "/admin/transparency/dailyreport/",
    "/admin/transparency/statementofreasons/",
    "/admin/transparency/trustedflagger/",
)


def test_the_migration_grants_what_the_app_defines() -> None:
    migration = importlib.import_module("transparency.migrations.0007_staff_view_permissions")
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
