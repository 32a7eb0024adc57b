"""`seed_demo` registers its organizations through the liaison services, idempotently, and
prints the lines CI and the README rely on."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command

from liaison.models import ApiToken, Organization
from portal.management.commands.seed_demo import DEMO_ORGANIZATIONS, DEMO_STAFF_EMAIL

TOKEN_LINE = re.compile(r"^token (?P<slug>[a-z0-9-]+) (?P<email>\S+): (?P<token>\S+)$")


def seed() -> list[str]:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue().splitlines()


@pytest.mark.django_db
def test_seed_demo_registers_verified_organizations_once_and_prints_fresh_tokens() -> None:
    first = seed()
    assert first[0].startswith(f"staff {DEMO_STAFF_EMAIL} (password: ")
    tokens = [TOKEN_LINE.match(line) for line in first[1:]]
    expected = [(slug, email) for slug, _, _, _, _, email in DEMO_ORGANIZATIONS]
    assert [(m["slug"], m["email"]) for m in tokens if m] == expected
    for slug, kind, name, country, phone, _ in DEMO_ORGANIZATIONS:
        organization = Organization.objects.get(slug=slug)
        assert (organization.kind, organization.name, organization.country) == (
            kind,
            name,
            country,
        )
        assert organization.callback_phone == phone
        assert organization.is_verified
        assert organization.verified_by is not None
        assert organization.verified_by.get_username() == DEMO_STAFF_EMAIL

    assert first[-1].startswith("console /console/: each member above, administrator")
    from liaison.models import Membership

    assert set(Membership.objects.values_list("role", flat=True)) == {"ADMIN"}
    assert all(m.user.check_password("liaison-demo-member") for m in Membership.objects.all())
    second = seed()
    assert second[0].startswith(f"staff {DEMO_STAFF_EMAIL} (password: unchanged, TOTP secret: ")
    assert Organization.objects.count() == len(DEMO_ORGANIZATIONS)
    again = [TOKEN_LINE.match(line) for line in second[1:]]
    assert {m["token"] for m in again if m}.isdisjoint({m["token"] for m in tokens if m})
    live = ApiToken.objects.filter(revoked_at__isnull=True)
    assert live.count() == len(DEMO_ORGANIZATIONS)  # the first run's tokens are revoked


@pytest.mark.django_db
def test_seed_demo_creates_the_staff_groups_and_a_second_legal_reviewer() -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from core.actors import staff_actor
    from liaison import permissions
    from portal.management.commands.seed_demo import DEMO_REVIEWER_EMAIL, STAFF_GROUPS

    Group.objects.all().delete()  # as on a database whose groups staff removed
    lines = seed()
    assert [line for line in lines if line.startswith("staff groups: ")] == [
        "staff groups: legal_reviewer, callback_officer, switchboard, policy_admin "
        f"({DEMO_STAFF_EMAIL} in all; {DEMO_REVIEWER_EMAIL}, same password and TOTP secret: "
        "legal_reviewer)"
    ]
    users = get_user_model().objects
    staff = users.get(username=DEMO_STAFF_EMAIL)
    assert set(staff.groups.values_list("name", flat=True)) == set(STAFF_GROUPS)
    reviewer = users.get(username=DEMO_REVIEWER_EMAIL)
    assert (reviewer.is_staff, reviewer.is_superuser) == (True, False)
    assert list(reviewer.groups.values_list("name", flat=True)) == ["legal_reviewer"]
    # Two legal reviewers: the four eyes of a disclosure work in the demo.
    assert permissions.can_approve_legal_request(staff_actor(reviewer))
    assert not permissions.can_record_callback(staff_actor(reviewer))
    seed()  # idempotent
    assert users.filter(username=DEMO_REVIEWER_EMAIL).count() == 1
    assert Group.objects.filter(name__in=STAFF_GROUPS).count() == 4
