"""User notice and non-disclosure orders.

The platform tells users about requests for their data unless a legal prohibition applies. An
authority attaches a non-disclosure order (its legal basis, and until when) to its request and
may extend it; staff see from when the user may be told (`user_notice_from`): once the request
is fulfilled and no order applies any more. A periodic sweep (`user_notice_sweep`, beat entry
`user-notice-sweep`) lists the notices that are now due and reminds each authority, once per
date, `NON_DISCLOSURE_REMINDER_BEFORE` before its order lapses (timeline, subscription,
signed webhook).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from strawberry.relay import to_base64

from core.actors import Actor
from core.outbox.services import outbox_emit
from liaison import notifications, topics
from liaison.audit import AuditAction, audit_record
from liaison.lifecycle import lock_request, require_staff
from liaison.models import (
    LegalRequest,
    NonDisclosureOrder,
    RequestStatus,
    TimelineEntry,
    UserNotice,
    WebhookDelivery,
)

EVENT_ORDER_LAPSING = "legal_request.non_disclosure_order_lapsing"
REMINDER = (
    "Your non-disclosure order lapses at {until} UTC: after that the platform may tell the user "
    "about this request. If the prohibition continues, extend the order "
    "(extendNonDisclosureOrder) before then."
)


def _utc(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M}"


def _own(actor: Actor, legal_request: LegalRequest) -> None:
    if actor.organization_id is None or actor.organization_id != legal_request.organization_id:
        raise ValidationError(
            "Only the requesting organization attaches or extends a non-disclosure order.",
            code="not_allowed",
        )


def _check_until(until: datetime, now: datetime, *, after: datetime | None = None) -> None:
    if timezone.is_naive(until):
        raise ValidationError(
            {"until": ValidationError("Give a time zone, e.g. 2026-06-30T00:00:00Z.", code="naive")}
        )
    if until <= (after or now):
        message = (
            "An extension must reach beyond the current date of the order."
            if after
            else "The order must last into the future."
        )
        raise ValidationError({"until": ValidationError(message, code="until_too_early")})
    if until > now + settings.NON_DISCLOSURE_MAX_PERIOD:
        days = settings.NON_DISCLOSURE_MAX_PERIOD.days
        raise ValidationError(
            {
                "until": ValidationError(
                    f"At most {days} days ahead; extend the order later if it continues.",
                    code="until_too_late",
                )
            }
        )


def _legal_basis(value: str) -> str:
    text = value.strip()
    if not text:
        raise ValidationError(
            {"legalBasis": ValidationError("Name the legal basis of the order.", code="required")}
        )
    if len(text) > 300:
        raise ValidationError(
            {"legalBasis": ValidationError("At most 300 characters.", code="max_length")}
        )
    return text


def non_disclosure_order_attach(
    *,
    actor: Actor,
    legal_request: LegalRequest,
    legal_basis: str,
    until: datetime,
    now: datetime | None = None,
) -> NonDisclosureOrder:
    """The requesting organization forbids telling the user about its request before `until`
    (one order per request; extend it to prolong it)."""
    now = now or timezone.now()
    _own(actor, legal_request)
    basis = _legal_basis(legal_basis)
    _check_until(until, now)
    with transaction.atomic():
        locked = lock_request(legal_request)
        if locked.status in (RequestStatus.WITHDRAWN, RequestStatus.REJECTED):
            raise ValidationError(
                f"The request is {locked.status}: the user is not told about it anyway.",
                code="request_closed",
            )
        if UserNotice.objects.filter(legal_request=locked, notified_at__isnull=False).exists():
            raise ValidationError("The user has already been told.", code="already_notified")
        if NonDisclosureOrder.objects.filter(legal_request=locked).exists():
            raise ValidationError(
                "This request has a non-disclosure order already: extend it instead.",
                code="order_exists",
            )
        order = NonDisclosureOrder.objects.create(
            legal_request=locked,
            legal_basis=basis,
            until=until,
            attached_at=now,
            attached_by=actor.user,
        )
        TimelineEntry.objects.create(
            legal_request=locked,
            event=TimelineEntry.Event.NOTE,
            status=locked.status,
            actor_label=actor.label,
            message=f"Non-disclosure order attached ({basis}): the user is not told before "
            f"{_utc(until)} UTC.",
            at=now,
        )
        _audit(actor, locked, "attached", {"legal_basis": basis, "until": until.isoformat()})
    return order


def non_disclosure_order_extend(
    *,
    actor: Actor,
    legal_request: LegalRequest,
    until: datetime,
    legal_basis: str | None = None,
    now: datetime | None = None,
) -> NonDisclosureOrder:
    """Prolong the request's non-disclosure order to `until` (later than its current date),
    with the legal basis of the extension (the order's own when not given)."""
    now = now or timezone.now()
    _own(actor, legal_request)
    with transaction.atomic():
        order = (
            NonDisclosureOrder.objects.select_for_update()
            .filter(legal_request_id=legal_request.pk)
            .first()
        )
        if order is None:
            raise ValidationError(
                "This request has no non-disclosure order to extend.", code="no_order"
            )
        basis = _legal_basis(legal_basis) if legal_basis is not None else order.legal_basis
        _check_until(until, now, after=max(order.until, now))
        previous = order.until
        order.extensions = [
            *order.extensions,
            {"from": previous.isoformat(), "to": until.isoformat(), "at": now.isoformat(),
             "legal_basis": basis},
        ]  # fmt: skip
        order.until, order.legal_basis, order.extended_at = until, basis, now
        order.save(update_fields=["until", "legal_basis", "extended_at", "extensions"])
        TimelineEntry.objects.create(
            legal_request_id=legal_request.pk,
            event=TimelineEntry.Event.NOTE,
            status=legal_request.status,
            actor_label=actor.label,
            message=f"Non-disclosure order extended ({basis}): the user is not told before "
            f"{_utc(until)} UTC.",
            at=now,
        )
        _audit(
            actor,
            legal_request,
            "extended",
            {"from": previous.isoformat(), "to": until.isoformat(), "legal_basis": basis},
        )
    return order


def _audit(actor: Actor | None, legal_request: LegalRequest, what: str, details: dict) -> None:
    audit_record(
        actor=actor,
        action=f"{AuditAction.NON_DISCLOSURE_ORDER}.{what}",
        object_type="LegalRequest",
        object_id=legal_request.pk,
        organization_id=legal_request.organization_id,
        details=details,
    )


_READ_THE_ORDER: Any = object()


def user_notice_from(
    legal_request: LegalRequest, *, order: NonDisclosureOrder | None = _READ_THE_ORDER
) -> datetime | None:
    """From when the user may be told about the request: when it was fulfilled, or when its
    non-disclosure order lapses if that is later. None while it is not fulfilled (and for a
    request that was rejected or withdrawn: nothing was done to the user's account). `order`:
    the request's order (or None) when the caller has read it already; else it is read here."""
    if legal_request.status != RequestStatus.FULFILLED or legal_request.fulfilled_at is None:
        return None
    if order is _READ_THE_ORDER:
        order = NonDisclosureOrder.objects.filter(legal_request_id=legal_request.pk).first()
    if order is not None and order.until > legal_request.fulfilled_at:
        return order.until
    return legal_request.fulfilled_at


@dataclass
class UserNoticeSweep:
    """What one sweep did."""

    listed: list[UserNotice] = field(default_factory=list)
    reminded: list[NonDisclosureOrder] = field(default_factory=list)


def user_notice_sweep(*, now: datetime | None = None) -> UserNoticeSweep:
    """List the user notices now due (fulfilled requests whose order, if any, has lapsed) and
    remind each authority whose order lapses within NON_DISCLOSURE_REMINDER_BEFORE, once per
    date. Idempotent: running it twice lists and reminds nothing twice."""
    now = now or timezone.now()
    result = UserNoticeSweep()
    due = (
        LegalRequest.objects.filter(status=RequestStatus.FULFILLED, user_notice__isnull=True)
        .filter(Q(non_disclosure_order__isnull=True) | Q(non_disclosure_order__until__lte=now))
        .order_by("fulfilled_at", "id")
    )
    for legal_request in due[:1000]:
        due_from = user_notice_from(legal_request) or now
        notice, created = UserNotice.objects.get_or_create(
            legal_request=legal_request, defaults={"due_from": due_from, "listed_at": now}
        )
        if created:
            result.listed.append(notice)
    lapsing = (
        NonDisclosureOrder.objects.filter(
            until__gt=now, until__lte=now + settings.NON_DISCLOSURE_REMINDER_BEFORE
        )
        .exclude(reminded_for_until=F("until"))
        .exclude(legal_request__status__in=(RequestStatus.WITHDRAWN, RequestStatus.REJECTED))
        .select_related("legal_request__organization")
    )
    for order in lapsing:
        with transaction.atomic():
            locked = NonDisclosureOrder.objects.select_for_update().get(pk=order.pk)
            if locked.reminded_for_until == locked.until:
                continue
            _remind(locked, order.legal_request, now)
            locked.reminded_for_until = locked.until
            locked.save(update_fields=["reminded_for_until"])
            result.reminded.append(locked)
    return result


def _remind(order: NonDisclosureOrder, legal_request: LegalRequest, now: datetime) -> None:
    """Tell the authority its order lapses soon: timeline, subscription, signed webhook."""
    message = REMINDER.format(until=_utc(order.until))
    TimelineEntry.objects.create(
        legal_request=legal_request,
        event=TimelineEntry.Event.NOTE,
        status=legal_request.status,
        actor_label=legal_request.handling_desk or "Platform",
        message=message,
        at=now,
    )
    organization = legal_request.organization
    if organization.webhook_url and organization.webhook_secret:
        body = json.dumps(
            {
                "event": EVENT_ORDER_LAPSING,
                "occurred_at": now.isoformat(),
                "legal_request": {
                    "id": to_base64("LegalRequest", str(legal_request.pk)),
                    "reference": legal_request.reference,
                    "status": legal_request.status,
                },
                "non_disclosure_order": {"until": order.until.isoformat()},
            },
            sort_keys=True,
            separators=(",", ":"),
        )
        delivery = WebhookDelivery.objects.create(
            organization=organization,
            legal_request=legal_request,
            event=EVENT_ORDER_LAPSING,
            url=organization.webhook_url,
            body=body,
        )
        outbox_emit(topic=topics.WEBHOOK_DELIVERY, payload={"delivery_id": delivery.pk})
    organization_id, request_id = organization.pk, str(legal_request.pk)
    transaction.on_commit(
        lambda: notifications.broadcast_request_update(
            organization_id=organization_id, legal_request_id=request_id
        )
    )
    _audit(None, legal_request, "reminded", {"until": order.until.isoformat()})


def user_notice_record(*, actor: Actor, notice: UserNotice) -> UserNotice:
    """Staff record that the user was told (refused while a non-disclosure order applies)."""
    require_staff(actor)
    with transaction.atomic():
        locked = (
            UserNotice.objects.select_for_update().select_related("legal_request").get(pk=notice.pk)
        )
        if locked.notified_at is not None:
            return locked
        order = NonDisclosureOrder.objects.filter(legal_request_id=locked.legal_request_id).first()
        now = timezone.now()
        if order is not None and order.until > now:
            raise ValidationError(
                f"A non-disclosure order applies until {_utc(order.until)} UTC: the user may "
                "not be told yet.",
                code="non_disclosure_order",
            )
        locked.notified_at, locked.notified_by = now, actor.user
        locked.save(update_fields=["notified_at", "notified_by"])
        _audit(actor, locked.legal_request, "user_notified", {"notice_id": locked.pk})
    return locked


__all__ = [
    "UserNoticeSweep",
    "non_disclosure_order_attach",
    "non_disclosure_order_extend",
    "user_notice_from",
    "user_notice_record",
    "user_notice_sweep",
]
