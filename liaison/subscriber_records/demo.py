"""Demo data of the default subscriber-records backend: a few accounts and their logins."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from liaison.subscriber_records.models import LoginEvent, PlatformAccount

DEMO_ACCOUNTS = [
    # user id, username, phone, login IPs (address, days before now)
    (
        100_001,
        "fraud_boss",
        "+4915123456789",
        [("203.0.113.7", 2), ("2001:db8::7", 12), ("198.51.100.23", 40)],
    ),
    (100_002, "scam_channel_admin", "+33612345678", [("192.0.2.44", 1), ("192.0.2.45", 30)]),
    (100_003, "threat_sender", "+12025550143", [("198.51.100.99", 0), ("203.0.113.200", 3)]),
]


def platform_accounts_seed_demo() -> int:
    """Idempotently load a few demo platform accounts and their login IP events (for the
    default subscriber-records backend). Returns how many login events were created."""
    created = 0
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    with transaction.atomic():
        for user_id, username, phone, logins in DEMO_ACCOUNTS:
            account, _ = PlatformAccount.objects.update_or_create(
                user_id=user_id, defaults={"username": username, "phone_number": phone}
            )
            if account.logins.exists():
                continue  # seeded before: keep its events (and their times) stable
            for address, days_ago in logins:
                LoginEvent.objects.create(
                    account=account, ip_address=address, seen_at=now - timedelta(days=days_ago)
                )
                created += 1
    return created
