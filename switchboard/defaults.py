"""The default legal clocks and desks of DESIGN.md; staff edit the live policy in admin."""

from __future__ import annotations

from datetime import timedelta

from liaison.models import RequestCategory, RequestKind

HOUR = timedelta(hours=1)

# (kind, category or None for "any other category") -> time allowed from receipt.
DEFAULT_CLOCKS: dict[tuple[str, str | None], timedelta] = {
    (RequestKind.CONTENT_REMOVAL, RequestCategory.TERRORISM): HOUR,
    (RequestKind.CONTENT_REMOVAL, None): 24 * HOUR,
    (RequestKind.EMERGENCY_DISCLOSURE, None): 8 * HOUR,
    (RequestKind.DATA_DISCLOSURE, None): timedelta(days=10),
    (RequestKind.PRESERVATION, None): 24 * HOUR,
    (RequestKind.MODERATION_NOTICE, RequestCategory.CHILD_SAFETY): HOUR,
    (RequestKind.MODERATION_NOTICE, RequestCategory.TERRORISM): HOUR,
    (RequestKind.MODERATION_NOTICE, None): 24 * HOUR,
}

# Requests whose clock is at most this long go to the `urgent` Celery queue.
URGENT_CLOCK_MAX = 8 * HOUR

# The fallback desk a fresh database gets (migration 0002) and the routing recreates if missing.
DEFAULT_FALLBACK_TEAM = "Legal Response Desk"
DEFAULT_FALLBACK_DESK = "Legal Response Desk"

# What each default clock rests on (shown in admin).
CLOCK_NOTES: dict[tuple[str, str | None], str] = {
    (RequestKind.CONTENT_REMOVAL, RequestCategory.TERRORISM): "TCO Reg. (EU) 2021/784: 1 hour",
    (RequestKind.CONTENT_REMOVAL, None): "DSA Art. 9 order: policy 24 hours",
    (RequestKind.EMERGENCY_DISCLOSURE, None): "Threat to life: 8 hours at most",
    (RequestKind.DATA_DISCLOSURE, None): "Court order / EPOC: 10 days",
    (RequestKind.PRESERVATION, None): "18 U.S.C. 2703(f) / EPOC-PR: act within 24 hours",
    (RequestKind.MODERATION_NOTICE, RequestCategory.CHILD_SAFETY): "DSA Art. 22: 1 hour",
    (RequestKind.MODERATION_NOTICE, RequestCategory.TERRORISM): "DSA Art. 22: 1 hour",
    (RequestKind.MODERATION_NOTICE, None): "DSA Art. 22 trusted flagger: 24 hours",
}


def default_clock(kind: str, category: str) -> timedelta:
    """The default deadline for a kind and category."""
    return DEFAULT_CLOCKS.get((kind, category)) or DEFAULT_CLOCKS[(kind, None)]
