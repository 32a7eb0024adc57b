"""Deconfliction: requests of different organizations about the same targets.

Targets are stored in canonical form (liaison/instruments.py), so an overlap is an equal
(kind, value) pair. Another organization's request counts while it is open, or when it was
received at most DECONFLICTION_WINDOW (90 days) ago. Staff see the overlap on both cases; what
the authorities are told about each other is in docs/deconfliction.md (in short: nothing that
names the other authority or its request).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from liaison.models import (
    ContentRemoval,
    LegalRequest,
    RequestCategory,
    RequestKind,
    RequestStatus,
    Target,
    TimelineEntry,
)

CLOSED_STATUSES = (RequestStatus.REJECTED, RequestStatus.FULFILLED, RequestStatus.WITHDRAWN)


@dataclass(frozen=True)
class Overlap:
    """Another organization's request that names some of the same targets."""

    legal_request: LegalRequest
    targets: tuple[tuple[str, str], ...]  # (kind, canonical value)


def overlapping_requests(
    *, legal_request: LegalRequest, now: datetime | None = None
) -> list[Overlap]:
    """Other organizations' requests, open or received within the window, that share a target
    with `legal_request`, newest first (staff only: never shown to an organization)."""
    now = now or timezone.now()
    pairs = list(legal_request.targets.values_list("kind", "value"))
    if not pairs:
        return []
    same_target = Q()
    for kind, value in pairs:
        same_target |= Q(kind=kind, value=value)
    recent = Q(legal_request__submitted_at__gte=now - settings.DECONFLICTION_WINDOW)
    matches = (
        Target.objects.filter(same_target)
        .exclude(legal_request__organization_id=legal_request.organization_id)
        .filter(recent | ~Q(legal_request__status__in=CLOSED_STATUSES))
        .select_related("legal_request__organization")
        .order_by("-legal_request__submitted_at", "legal_request_id", "position")
    )
    found: dict[object, list[tuple[str, str]]] = {}
    requests: dict[object, LegalRequest] = {}
    for target in matches:
        requests.setdefault(target.legal_request_id, target.legal_request)
        found.setdefault(target.legal_request_id, []).append((target.kind, target.value))
    return [Overlap(legal_request=requests[pk], targets=tuple(found[pk])) for pk in requests]


def is_tco_removal_order(legal_request: LegalRequest) -> bool:
    """A removal order under the TCO Regulation (Reg. (EU) 2021/784): a terrorism content
    removal, or a removal whose legal basis names the Regulation."""
    return legal_request.kind == RequestKind.CONTENT_REMOVAL and (
        legal_request.category == RequestCategory.TERRORISM
        or "2021/784" in legal_request.legal_basis
    )


TCO_ALREADY_REMOVED = (
    "The content named in this removal order had already been removed at {at} UTC, in response "
    "to a removal order for the same content; it was removed once and is no longer available."
)
TCO_REMOVED = "Removed at {at} UTC."
TCO_REMOVED_FOR_ANOTHER_ORDER = (
    "The content named in this removal order ({content}) was removed at {at} UTC, in response "
    "to a removal order for the same content. Your order will be answered without a second "
    "removal."
)


def _utc(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M}"


def tco_removal_execute(*, legal_request: LegalRequest, now: datetime | None = None) -> str:
    """Execute a TCO removal order once per piece of content (in the fulfilment's transaction),
    and return the answer for its authority. Content already removed for an earlier order is
    not removed again: the answer says when it was. Other organizations' open removal orders
    for the same content are told at once (a public timeline entry, naming neither the other
    authority nor its order: docs/deconfliction.md)."""
    now = now or timezone.now()
    targets = list(legal_request.targets.order_by("position", "id"))
    newly: list[Target] = []
    earlier: list[datetime] = []
    for target in targets:
        removal, created = ContentRemoval.objects.get_or_create(
            target_kind=target.kind,
            target_value=target.value,
            defaults={"removed_at": now, "legal_request": legal_request},
        )
        if created:
            newly.append(target)
        else:
            earlier.append(removal.removed_at)
    if newly:
        _tell_other_orders(legal_request, newly, now)
    if not newly and earlier:
        return TCO_ALREADY_REMOVED.format(at=_utc(max(earlier)))
    answer = TCO_REMOVED.format(at=_utc(now))
    if earlier:
        answer += f" ({len(earlier)} item(s) had already been removed for an earlier order.)"
    return answer


def _tell_other_orders(legal_request: LegalRequest, removed: list[Target], now: datetime) -> None:
    same_content = Q()
    for target in removed:
        same_content |= Q(targets__kind=target.kind, targets__value=target.value)
    others = (
        LegalRequest.objects.filter(same_content, kind=RequestKind.CONTENT_REMOVAL)
        .exclude(pk=legal_request.pk)
        .exclude(status__in=CLOSED_STATUSES)
        .distinct()
    )
    content = ", ".join(target.value for target in removed)
    for other in others:
        if not is_tco_removal_order(other):
            continue
        TimelineEntry.objects.create(
            legal_request=other,
            event=TimelineEntry.Event.NOTE,
            status=other.status,
            actor_label=other.handling_desk or "Platform",
            message=TCO_REMOVED_FOR_ANOTHER_ORDER.format(content=content, at=_utc(now)),
            at=now,
        )
