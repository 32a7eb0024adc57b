"""Deconfliction: requests of different organizations about the same targets.

Targets are stored in canonical form (liaison/instruments.py), so an overlap is an equal
(kind, value) pair. Another organization's request counts while it is open, or when it was
received at most DECONFLICTION_WINDOW (90 days) ago. Staff see the overlap on both cases; what
the authorities are told about each other is in docs/deconfliction.md (in short: nothing that
names the other authority or its request).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from liaison.models import LegalRequest, RequestStatus, Target

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
