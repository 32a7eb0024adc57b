"""The default legal clocks and desks of DESIGN.md; staff edit the live policy in admin."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from liaison.models import RequestCategory, RequestKind
from switchboard.models import EscalationStep, Urgency
from switchboard.regions import Region

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


# The default teams, chains and rules (seed_demo and every start create the missing ones). ---

URGENT_CHAIN = "Urgent (1-hour clocks)"
STANDARD_CHAIN = "Standard"
DEFAULT_CHAINS: dict[str, tuple[timedelta, list[tuple[int, str]]]] = {
    URGENT_CHAIN: (
        timedelta(minutes=15),
        [
            (5, EscalationStep.Action.NEXT_ON_CALL),
            (10, EscalationStep.Action.TEAM_LEAD),
            (15, EscalationStep.Action.WHOLE_TEAM),
        ],
    ),
    STANDARD_CHAIN: (
        timedelta(hours=2),
        [
            (60, EscalationStep.Action.NEXT_ON_CALL),
            (240, EscalationStep.Action.TEAM_LEAD),
        ],
    ),
}
DEFAULT_TEAMS: list[tuple[str, str, str, str]] = [
    # name, public desk name, mailbox, chain
    ("Counter-Terrorism Desk", "Counter-Terrorism Desk", "ct-desk@platform.example", URGENT_CHAIN),
    ("Child Safety Desk", "Child Safety Desk", "child-safety@platform.example", URGENT_CHAIN),
    (
        "Law Enforcement Response EU",
        "Law Enforcement Response (Europe)",
        "ler-eu@platform.example",
        STANDARD_CHAIN,
    ),
    (
        "Law Enforcement Response Americas",
        "Law Enforcement Response (Americas)",
        "ler-americas@platform.example",
        STANDARD_CHAIN,
    ),
    (DEFAULT_FALLBACK_TEAM, DEFAULT_FALLBACK_DESK, "legal@platform.example", STANDARD_CHAIN),
]
K, C = RequestKind, RequestCategory
DEFAULT_RULES: list[dict[str, Any]] = [
    {"position": 10, "name": "Terrorist content: removal orders and notices",
     "team": "Counter-Terrorism Desk", "kinds": [K.CONTENT_REMOVAL, K.MODERATION_NOTICE],
     "categories": [C.TERRORISM]},
    {"position": 20, "name": "Child safety: removals and notices", "team": "Child Safety Desk",
     "kinds": [K.CONTENT_REMOVAL, K.MODERATION_NOTICE], "categories": [C.CHILD_SAFETY]},
    {"position": 30, "name": "Emergencies from Europe", "team": "Law Enforcement Response EU",
     "kinds": [K.EMERGENCY_DISCLOSURE], "region": Region.EEA, "urgency": Urgency.URGENT,
     "chain": URGENT_CHAIN},
    {"position": 40, "name": "Emergencies from the Americas",
     "team": "Law Enforcement Response Americas", "kinds": [K.EMERGENCY_DISCLOSURE],
     "region": Region.AMERICAS, "urgency": Urgency.URGENT, "chain": URGENT_CHAIN},
    {"position": 50, "name": "Disclosure and preservation, Europe",
     "team": "Law Enforcement Response EU", "kinds": [K.DATA_DISCLOSURE, K.PRESERVATION],
     "region": Region.EEA, "countries": ["GB", "CH"]},
    {"position": 60, "name": "Disclosure and preservation, Americas",
     "team": "Law Enforcement Response Americas", "kinds": [K.DATA_DISCLOSURE, K.PRESERVATION],
     "region": Region.AMERICAS},
]  # fmt: skip
