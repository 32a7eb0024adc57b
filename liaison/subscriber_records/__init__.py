"""Subscriber records: the one question disclosure asks of the platform's user store.

"What is the phone number, and which IP addresses (with times) was this account seen from, in
this period?" A backend answers it, and the pre-flight's narrower one, "is there an account for
this target at all?" (`exists`: a yes or no, no data); `SUBSCRIBER_RECORDS_BACKEND` in settings
picks which. The default backend reads `PlatformAccount` / `LoginEvent` in the portal's own
database; a production backend implements the same methods against the platform's store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from liaison.models.enums import TargetKind
from liaison.subscriber_records.models import LoginEvent, PlatformAccount


@dataclass(frozen=True)
class IpEvent:
    """An IP address an account was seen from, and when."""

    address: str
    seen_at: datetime


@dataclass(frozen=True)
class SubscriberRecord:
    """What the platform knows of one account in a period: nothing more is ever disclosed."""

    phone_number: str | None
    ip_events: list[IpEvent] = field(default_factory=list)


class SubscriberRecords(Protocol):
    """The adapter interface."""

    def lookup(
        self, *, target_kind: str, target_value: str, period_start: datetime, period_end: datetime
    ) -> SubscriberRecord | None:
        """The record of the account a target names, or None if no account matches."""

    def exists(self, *, target_kind: str, target_value: str) -> bool:
        """Does an account (or, for a message link, nothing the store can tell) match the target?
        Only the answer: no record leaves the store."""


class DatabaseSubscriberRecords:
    """The default backend: accounts and login events stored in the portal's database."""

    def _account(self, target_kind: str, target_value: str) -> PlatformAccount | None:
        accounts = PlatformAccount.objects.all()
        if target_kind in (TargetKind.USERNAME, TargetKind.CHANNEL):
            return accounts.filter(username=target_value).first()
        if target_kind == TargetKind.USER_ID:
            return accounts.filter(user_id=int(target_value)).first()
        if target_kind == TargetKind.PHONE_NUMBER:
            return accounts.filter(phone_number=target_value).first()
        return None  # a message link names content, not an account

    def exists(self, *, target_kind: str, target_value: str) -> bool:
        return self._account(target_kind, target_value) is not None

    def lookup(
        self, *, target_kind: str, target_value: str, period_start: datetime, period_end: datetime
    ) -> SubscriberRecord | None:
        account = self._account(target_kind, target_value)
        if account is None:
            return None
        events = LoginEvent.objects.filter(
            account=account, seen_at__gte=period_start, seen_at__lte=period_end
        ).order_by("seen_at", "id")
        return SubscriberRecord(
            phone_number=account.phone_number or None,
            ip_events=[IpEvent(address=e.ip_address, seen_at=e.seen_at) for e in events],
        )


def subscriber_records() -> SubscriberRecords:
    """The configured backend."""
    backend: type[SubscriberRecords] = import_string(settings.SUBSCRIBER_RECORDS_BACKEND)
    return backend()
