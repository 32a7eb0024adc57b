"""Every read of the switchboard: the routing decision, the public guide, staff queues."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from core.outbox.models import OutboxEvent
from liaison import instruments
from switchboard.defaults import DEFAULT_FALLBACK_DESK, URGENT_CLOCK_MAX, default_clock
from switchboard.models import (
    EscalationChain,
    LegalClock,
    PolicyRevision,
    RoutingRule,
    Team,
    Ticket,
)

logger = logging.getLogger(__name__)

GUIDE_CHANNEL = "GraphQL API: submitLegalRequest (POST /graphql/)"


@dataclass(frozen=True)
class RoutingPolicy:
    """The routing policy as one consistent, read-only snapshot: active rules in order (with
    their teams), clocks, the fallback team and each escalation chain's snapshot."""

    token: object
    rules: tuple[RoutingRule, ...]
    clocks: dict[tuple[str, str], timedelta]
    fallback: Team | None
    chains: dict[int, dict[str, Any]]

    def clock(self, kind: str, category: str) -> timedelta:
        return (
            self.clocks.get((kind, category))
            or self.clocks.get((kind, ""))
            or default_clock(kind, category)
        )

    def chain_snapshot(self, chain_id: int | None) -> dict[str, Any]:
        return self.chains.get(chain_id or 0) or {"steps": [], "chain": ""}


_policy_cache: list[RoutingPolicy] = []
_policy_checked_at: list[float] = [0.0]


def routing_policy_get(*, max_age: float = 0.0) -> RoutingPolicy:
    """The current policy: cached per process, reloaded when its revision token changed (one
    tiny query instead of five per routing; an edit applies to the very next request).

    `max_age` lets a caller that only needs a hint (the queue of a submission) skip even that
    query when the policy was checked less than `max_age` seconds ago."""
    now = time.monotonic()
    if max_age and _policy_cache and now - _policy_checked_at[0] < max_age:
        return _policy_cache[0]
    token = PolicyRevision.objects.filter(pk=1).values_list("token", flat=True).first()
    _policy_checked_at[0] = now
    if token is not None and _policy_cache and _policy_cache[0].token == token:
        return _policy_cache[0]
    rules = tuple(
        RoutingRule.objects.filter(is_active=True).select_related("team").order_by("position", "id")
    )
    chains = {
        chain.pk: chain.snapshot() for chain in EscalationChain.objects.prefetch_related("steps")
    }
    policy = RoutingPolicy(
        token=token,
        rules=rules,
        clocks={(c.kind, c.category): c.duration for c in LegalClock.objects.all()},
        fallback=team_fallback_get(),
        chains=chains,
    )
    _policy_cache[:] = [policy] if token is not None else []
    return policy


def clock_is_urgent(clock: timedelta) -> bool:
    """Urgent work (clocks of 8 h or less) has its own queue and workers."""
    return clock <= URGENT_CLOCK_MAX


def routing_queue_for(payload: dict) -> str:
    """The Celery queue for a `legal_request.submitted` event: `urgent` for clocks ≤ 8 h.

    Runs in every submission's transaction, so it may use a policy up to a second old: a clock
    edit reaches the queue choice within a second, and the routing itself always reads the
    current policy."""
    try:
        clock = routing_policy_get(max_age=1.0).clock(payload["kind"], payload["category"])
    except KeyError:
        return OutboxEvent.Queue.DEFAULT
    return OutboxEvent.Queue.URGENT if clock_is_urgent(clock) else OutboxEvent.Queue.DEFAULT


def team_fallback_get() -> Team | None:
    """The team that gets what no rule matches (None only on a database without policy)."""
    return Team.objects.filter(is_fallback=True).first()


@dataclass(frozen=True)
class RoutingDecision:
    """Where a request goes: the team (None = the fallback, not yet created), the rule that
    matched (or raised), its clock, the escalation chain to snapshot, and the error if a rule
    could not be evaluated."""

    team: Team | None
    rule: RoutingRule | None
    clock: timedelta
    urgent: bool
    error: str = ""
    escalation_snapshot: dict[str, Any] = field(default_factory=dict)

    @property
    def desk_name(self) -> str:
        return self.team.desk_name if self.team is not None else DEFAULT_FALLBACK_DESK


def routing_decide(*, kind: str, category: str, jurisdiction: str) -> RoutingDecision:
    """Apply the routing rules in order (first match wins) and the legal clocks.

    A rule that raises while being evaluated sends the request to the fallback team, with the
    error in the decision: a broken rule must neither lose a request nor let a less specific
    rule below it take it.
    """
    policy = routing_policy_get()
    clock = policy.clock(kind, category)
    urgent = clock_is_urgent(clock)
    fallback = policy.fallback
    for rule in policy.rules:
        try:
            matched = rule.matches(
                kind=kind, category=category, jurisdiction=jurisdiction, urgent=urgent
            )
        except Exception as error:
            logger.exception("routing rule %s raised; using the fallback team", rule.pk)
            return RoutingDecision(
                team=fallback,
                rule=rule,
                clock=clock,
                urgent=urgent,
                error=f"Rule #{rule.pk} “{rule.name}” raised {error!r}",
                escalation_snapshot=policy.chain_snapshot(
                    fallback.escalation_chain_id if fallback else None
                ),
            )
        if matched:
            chain_id = rule.escalation_chain_id or rule.team.escalation_chain_id
            return RoutingDecision(
                team=rule.team,
                rule=rule,
                clock=clock,
                urgent=urgent,
                escalation_snapshot=policy.chain_snapshot(chain_id),
            )
    return RoutingDecision(
        team=fallback,
        rule=None,
        clock=clock,
        urgent=urgent,
        escalation_snapshot=policy.chain_snapshot(
            fallback.escalation_chain_id if fallback else None
        ),
    )


@dataclass(frozen=True)
class RoutingAnswer:
    """Where a kind of request goes and what it needs, as the public guide tells it."""

    team_name: str
    deadline_seconds: int
    channel: str
    required_fields: list[str]
    accepted_legal_bases: list[str]
    urgent: bool


def routing_guide_get(*, kind: str, category: str, jurisdiction: str) -> RoutingAnswer:
    """Answer the routing guide for one kind, category and country from the live rules and
    clocks: the same decision the switchboard takes when such a request arrives."""
    instrument = instruments.INSTRUMENTS[kind]
    decision = routing_decide(kind=kind, category=category, jurisdiction=jurisdiction)
    return RoutingAnswer(
        team_name=decision.desk_name,
        deadline_seconds=int(decision.clock.total_seconds()),
        channel=GUIDE_CHANNEL,
        required_fields=list(instrument.required_fields),
        accepted_legal_bases=list(instrument.accepted_legal_bases),
        urgent=decision.urgent,
    )


def ticket_time_left(*, ticket: Ticket, now: datetime) -> timedelta:
    """Time until the deadline (negative when overdue)."""
    return ticket.due_at - now


def staff_team_ids(*, user: Any) -> list[int]:
    """The teams whose live notifications a staff member receives: theirs, or all for a
    superuser who is in none."""
    from switchboard.models import Team, TeamMember

    ids = list(TeamMember.objects.filter(user=user).values_list("team_id", flat=True))
    if not ids and getattr(user, "is_superuser", False):
        ids = list(Team.objects.values_list("pk", flat=True))
    return sorted(ids)
