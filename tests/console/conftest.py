"""Fixtures of the console tests: members signed in with their second factor (as the sign-in
pages leave them), the liaison review helpers, routing in-process."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from liaison.models import Membership
from tests.conftest import Member, make_member
from tests.factories import NgoFactory, OrganizationFactory
from tests.fixtures import (  # noqa: F401 - fixtures of this directory
    _celery_in_process,
    _in_memory_channel_layer,
    clock,
    policy,
)
from tests.liaison.conftest import (  # noqa: F401 - fixtures of this directory
    _test_signing_key,
    accounts,
    media_root,
    staff_one,
    staff_two,
)
from tests.liaison.test_notifications import receiver  # noqa: F401 - a real webhook receiver
from tests.signin import mark_second_factor

PASSWORD = "correct horse battery staple 7"


def console_client(member: Member, *, second_factor: bool = True) -> Client:
    """A browser signed in as `member` (password and, unless told otherwise, the factor)."""
    client = Client()
    user = member.membership.user
    user.set_password(PASSWORD)
    user.save()
    client.force_login(user)
    if second_factor:
        session = client.session
        mark_second_factor(session, user)
        session.save()
    return client


def admin_member(organization: Any = None) -> Member:
    member = make_member(organization or OrganizationFactory())
    member.membership.role = Membership.Role.ADMIN
    member.membership.save()
    return member


@pytest.fixture(autouse=True)
def _generous_access_form_limit(settings: Any) -> None:
    """The public form's hourly limit would carry over between tests (one Redis window)."""
    settings.CONSOLE_ACCESS_REQUESTS_PER_HOUR = 100_000


@pytest.fixture
def officer(db: Any) -> Member:
    """An administrator of a verified German authority."""
    return admin_member()


@pytest.fixture
def colleague(officer: Member) -> Member:
    """A plain member of the officer's authority."""
    return make_member(officer.organization)


@pytest.fixture
def foreigner(db: Any) -> Member:
    """An administrator of another authority."""
    return admin_member(OrganizationFactory(country="FR"))


@pytest.fixture
def ngo_admin(db: Any) -> Member:
    return admin_member(NgoFactory())


@pytest.fixture
def browser(officer: Member) -> Client:
    return console_client(officer)
