"""The desk and deadline of a request, decided at intake by the app above that owns routing.

liaison may not import the switchboard, yet the answer to `submitLegalRequest` must already say
which desk handles a request and by when. The switchboard registers a resolver here from its
`AppConfig.ready()`; intake calls it inside the submission's transaction and stores the
decision on the request, and the routing later opens the ticket from that stored decision, so
what the authority was told is what the ticket does, whatever the policy became in between.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class IntakeQuestion:
    """What the resolver is asked: the validated request as it will be stored."""

    kind: str
    category: str
    jurisdiction: str
    instrument: str
    submitted_at: datetime


@dataclass(frozen=True)
class IntakeDecision:
    """The resolver's answer: the public desk, the clock from receipt, the policy revision it
    came from, and what the routing needs to honour it (`details`, JSON-serialisable)."""

    desk_name: str
    clock: timedelta
    policy_revision: str
    details: dict[str, Any] = field(default_factory=dict)


IntakeResolver = Callable[[IntakeQuestion], IntakeDecision]
_resolvers: list[IntakeResolver] = []


def intake_resolver_register(resolver: IntakeResolver) -> None:
    """Install the one resolver (the switchboard's, from its AppConfig.ready()); a second
    registration replaces the first (app reloads in tests)."""
    _resolvers[:] = [resolver]


def intake_decide(question: IntakeQuestion) -> IntakeDecision | None:
    """The registered resolver's decision, or None when no app registered one (the routing
    then decides later, as before)."""
    return _resolvers[0](question) if _resolvers else None
