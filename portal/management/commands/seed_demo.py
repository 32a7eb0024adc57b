"""`manage.py seed_demo`: idempotent demo teams, rules, organizations and accounts, with tokens."""

from __future__ import annotations

import os
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from core.signin import totp_ensure, totp_uri
from core.staff import staff_groups_ensure, staff_groups_merge
from liaison import organizations, tokens
from liaison import permissions as liaison_permissions
from liaison.models import ApiToken, Membership, Organization, OrganizationKind
from liaison.subscriber_records import demo
from switchboard import permissions as switchboard_permissions
from switchboard.policy import switchboard_seed_defaults
from transparency import permissions as transparency_permissions

DEMO_ORGANIZATIONS = [
    # slug, kind, name, country, callback phone, member e-mail
    (
        "demo-bka",
        OrganizationKind.AUTHORITY,
        "Bundeskriminalamt (demo)",
        "DE",
        "+49611550",
        "officer@bka.demo",
    ),
    (
        "demo-parquet-paris",
        OrganizationKind.AUTHORITY,
        "Parquet de Paris (demo)",
        "FR",
        "+33144325151",
        "magistrat@parquet.demo",
    ),
    (
        "demo-fbi",
        OrganizationKind.AUTHORITY,
        "FBI Field Office (demo)",
        "US",
        "+12023243000",
        "agent@fbi.demo",
    ),
    (
        "demo-childsafe-ngo",
        OrganizationKind.NGO,
        "Child Safety Hotline (demo)",
        "NL",
        "+31201234567",
        "analyst@childsafe.demo",
    ),
]
DEMO_TOKEN_LABEL = "demo"  # noqa: S105 (a label, not a secret)
DEMO_STAFF_EMAIL = "admin@platform.demo"
# A second legal reviewer, so that a disclosure can get its two approvals (four eyes) in the
# demo: the same password and authenticator secret as the demo staff member.
DEMO_REVIEWER_EMAIL = "reviewer@platform.demo"
STAFF_GROUPS = staff_groups_merge(
    liaison_permissions.STAFF_GROUPS,
    switchboard_permissions.STAFF_GROUPS,
    transparency_permissions.STAFF_GROUPS,
)


class Command(BaseCommand):
    help = "Load demo teams, routing rules, organizations and staff; print fresh demo tokens."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        switchboard_seed_defaults()
        demo.platform_accounts_seed_demo()
        password = os.environ.get("DEMO_ADMIN_PASSWORD", "liaison-demo-admin")
        user_model = get_user_model()
        staff, created = user_model.objects.get_or_create(
            username=DEMO_STAFF_EMAIL,
            defaults={"email": DEMO_STAFF_EMAIL, "is_staff": True, "is_superuser": True},
        )
        if created:
            staff.set_password(password)
            staff.save(update_fields=["password"])
        # Staff sign in with a second factor: the demo staff member's authenticator app, the
        # same secret on every run (DEMO_ADMIN_TOTP_SECRET replaces it).
        totp_secret = totp_ensure(user=staff, secret=os.environ.get("DEMO_ADMIN_TOTP_SECRET"))
        self.stdout.write(
            f"staff {DEMO_STAFF_EMAIL} (password: {password if created else 'unchanged'}, "
            f"TOTP secret: {totp_secret})"
        )
        uri = totp_uri(user=staff, secret=totp_secret)
        self.stdout.write(f"staff {DEMO_STAFF_EMAIL} TOTP URI: {uri}")
        # Least privilege: the staff groups, the demo staff member in all of them, and a second
        # legal reviewer (not a superuser) for the four eyes.
        staff_groups_ensure(STAFF_GROUPS)
        staff.groups.add(*Group.objects.filter(name__in=STAFF_GROUPS))
        reviewer, reviewer_created = user_model.objects.get_or_create(
            username=DEMO_REVIEWER_EMAIL,
            defaults={"email": DEMO_REVIEWER_EMAIL, "is_staff": True},
        )
        if reviewer_created:
            reviewer.set_password(password)
            reviewer.save(update_fields=["password"])
        totp_ensure(user=reviewer, secret=totp_secret)
        reviewer.groups.add(Group.objects.get(name=liaison_permissions.LEGAL_REVIEWER))
        self.stdout.write(
            f"staff groups: {', '.join(STAFF_GROUPS)} ({DEMO_STAFF_EMAIL} in all; "
            f"{DEMO_REVIEWER_EMAIL}, same password and TOTP secret: "
            f"{liaison_permissions.LEGAL_REVIEWER})"
        )
        member_password = os.environ.get("DEMO_MEMBER_PASSWORD", "liaison-demo-member")
        for slug, kind, name, country, phone, email in DEMO_ORGANIZATIONS:
            # Registered (and verified) through the service once; a later run leaves it as staff
            # have kept it since.
            organization = Organization.objects.filter(slug=slug).first() or (
                organizations.organization_register(
                    kind=kind,
                    name=name,
                    country=country,
                    callback_phone=phone,
                    slug=slug,
                    verify=True,
                    verified_by=staff,
                )
            )
            membership = organizations.member_ensure(organization=organization, email=email)
            # The console (/console/): each demo member administers its organization and signs
            # in with a password and the demo authenticator secret, set on the first run only.
            if membership.role != Membership.Role.ADMIN:
                membership.role = Membership.Role.ADMIN
                membership.save(update_fields=["role"])
            member_user = membership.user
            if not member_user.password or not member_user.has_usable_password():
                member_user.set_password(member_password)
                member_user.save(update_fields=["password"])
            totp_ensure(user=member_user, secret=totp_secret)
            # Tokens are stored hashed: each run issues a new one and revokes the old demo ones.
            for old in ApiToken.objects.filter(
                membership=membership, label=DEMO_TOKEN_LABEL, revoked_at__isnull=True
            ):
                tokens.api_token_revoke(token=old)
            issued = tokens.api_token_issue(membership=membership, label=DEMO_TOKEN_LABEL)
            self.stdout.write(f"token {slug} {email}: {issued.secret}")
        self.stdout.write(
            "console /console/: each member above, administrator of its organization (password: "
            f"{member_password} on the first run, TOTP secret: {totp_secret})"
        )
