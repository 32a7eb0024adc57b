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

    second = seed()
    assert second[0].startswith(f"staff {DEMO_STAFF_EMAIL} (password: unchanged, TOTP secret: ")
    assert Organization.objects.count() == len(DEMO_ORGANIZATIONS)
    again = [TOKEN_LINE.match(line) for line in second[1:]]
    assert {m["token"] for m in again if m}.isdisjoint({m["token"] for m in tokens if m})
    live = ApiToken.objects.filter(revoked_at__isnull=True)
    assert live.count() == len(DEMO_ORGANIZATIONS)  # the first run's tokens are revoked
