"""Every read of the switchboard: the routing decision, the public guide, staff queues."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection

from core import rawsql
from core.outbox.models import OutboxEvent
from liaison import instruments
from liaison.intake import IntakeDecision, IntakeQuestion
from liaison.models import LegalRequest, Organization
from switchboard.defaults import DEFAULT_FALLBACK_DESK, URGENT_CLOCK_MAX, default_clock
from switchboard.models import (
    EscalationChain,
    LegalClock,
    PolicyRevision,
    RoutingRule,
    Team,
    TeamMember,
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

    The submission carries the clock decided at intake (`clock_seconds`): that one decides.
    Events without it (stored before intake decided) use a policy up to a second old."""
    if payload.get("clock_seconds") is not None:
        urgent = clock_is_urgent(timedelta(seconds=payload["clock_seconds"]))
        return OutboxEvent.Queue.URGENT if urgent else OutboxEvent.Queue.DEFAULT
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


def routing_decide(
    *,
    kind: str,
    category: str,
    jurisdiction: str,
    instrument: str | None = None,
    policy: RoutingPolicy | None = None,
) -> RoutingDecision:
    """Apply the routing rules in order (first match wins) and the legal clocks: the policy's
    clock for the kind and category, capped by the law's clock of the instrument (named, or
    inferred from kind and country when None).

    A rule that raises while being evaluated sends the request to the fallback team, with the
    error in the decision: a broken rule must neither lose a request nor let a less specific
    rule below it take it.
    """
    policy = policy or routing_policy_get()
    if instrument is None:
        instrument = instruments.instrument_infer(
            kind=kind, category=category, jurisdiction=jurisdiction
        )
    clock = instruments.legal_clock(instrument, policy.clock(kind, category))
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
class RoutingLock:
    """A request read under its row lock for its routing (`routing_request_lock`), with its
    organization, and what its routing needs, None when absent: its ticket (a redelivered
    routing), the team intake chose (None: deleted since; name, desk, mailbox, and the first
    member in its on-call order: a new ticket calls on-call position 0), and whether the rule
    intake matched still exists."""

    legal_request: LegalRequest
    ticket_id: int | None
    team_name: str | None
    team_desk: str | None
    team_email: str | None
    on_call_email: str | None
    rule_exists: bool


_routing_lock_sql: list[str] = []


def _routing_lock_query() -> str:
    """The one statement of `routing_request_lock`, built once per process from the models."""
    if not _routing_lock_sql:
        quote = connection.ops.quote_name

        def table(model: Any) -> str:
            return quote(model._meta.db_table)

        user = get_user_model()
        request = rawsql.select_list(LegalRequest, "r")
        organization = rawsql.select_list(Organization, "o")
        _routing_lock_sql.append(
            f"""SELECT {request}, {organization},
          (SELECT t.id FROM {table(Ticket)} t WHERE t.legal_request_id = r.id LIMIT 1),
          team.name, team.desk_name, team.email,
          (SELECT u.email FROM {table(TeamMember)} m JOIN {table(user)} u ON u.id = m.user_id
            WHERE m.team_id = team.id ORDER BY m.position, m.id LIMIT 1),
          EXISTS (SELECT 1 FROM {table(RoutingRule)} rule
                   WHERE rule.id = (r.routing_decision ->> 'rule_id')::integer)
     FROM {table(LegalRequest)} r
     JOIN {table(Organization)} o ON o.id = r.organization_id
LEFT JOIN {table(Team)} team ON team.id = (r.routing_decision ->> 'team_id')::integer
    WHERE r.id = %s
      FOR UPDATE OF r"""  # noqa: S608 - names from the models' metadata, the id a parameter
        )
    return _routing_lock_sql[0]


def routing_request_lock(legal_request_id: object) -> RoutingLock | None:
    """Lock a request for its routing and read what the routing needs, in ONE statement
    (hand-written: the same query through the ORM cost more CPU to build than all the rest of
    a routing). The request's row only is locked (`FOR UPDATE OF r`); None if it is missing."""
    with connection.cursor() as cursor:
        cursor.execute(_routing_lock_query(), [str(legal_request_id)])
        row = cursor.fetchone()
    if row is None:
        return None
    n_request, n_organization = rawsql.column_count(LegalRequest), rawsql.column_count(Organization)
    legal_request = rawsql.from_row(LegalRequest, row[:n_request])
    legal_request.organization = rawsql.from_row(
        Organization, row[n_request : n_request + n_organization]
    )
    ticket_id, team_name, team_desk, team_email, on_call, rule_exists = row[
        n_request + n_organization :
    ]
    return RoutingLock(
        legal_request=legal_request,
        ticket_id=ticket_id,
        team_name=team_name,
        team_desk=team_desk,
        team_email=team_email,
        on_call_email=on_call,
        rule_exists=bool(rule_exists),
    )


def routing_intake_decide(question: IntakeQuestion) -> IntakeDecision:
    """The desk and deadline of a request being submitted (the resolver liaison's intake calls
    in the submission's transaction, registered by the app config): the routing decision from
    the current policy, with what the ticket needs to honour it later (team, rule, clock,
    urgency, the escalation chain's snapshot) and the policy revision it came from."""
    policy = routing_policy_get()
    decision = routing_decide(
        kind=question.kind,
        category=question.category,
        jurisdiction=question.jurisdiction,
        instrument=question.instrument or None,
        policy=policy,
    )
    return IntakeDecision(
        desk_name=decision.desk_name,
        clock=decision.clock,
        policy_revision=str(policy.token or ""),
        details={
            "team_id": decision.team.pk if decision.team is not None else None,
            "rule_id": decision.rule.pk if decision.rule is not None else None,
            "urgent": decision.urgent,
            "error": decision.error,
            "escalation_snapshot": decision.escalation_snapshot,
            "instrument": question.instrument,
        },
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
    instrument: str = ""
    instrument_inferred: bool = True
    inference_rule: str = ""
    clock_source: str = ""
    document_required: bool = False
    document_source: str = ""
    retention_seconds: int | None = None
    retention_months: int | None = None
    extension_seconds: int | None = None
    retention_source: str = ""


def routing_guide_get(
    *, kind: str, category: str, jurisdiction: str, instrument: str | None = None
) -> RoutingAnswer:
    """Answer the routing guide for one kind, category and country (and instrument, inferred
    when None) from the live rules and clocks: the same decision intake takes when such a
    request arrives. Raises ValueError with the field error's message when the named
    instrument does not fit."""
    kind_rules = instruments.INSTRUMENTS[kind]
    inferred = instrument is None
    code = instrument or instruments.instrument_infer(
        kind=kind, category=category, jurisdiction=jurisdiction
    )
    rule = instruments.instrument_rule(code)
    misfit = rule.misfit(kind=kind, category=category, jurisdiction=jurisdiction)
    if misfit is not None:
        raise ValueError(misfit[1])
    decision = routing_decide(
        kind=kind, category=category, jurisdiction=jurisdiction, instrument=code
    )
    return RoutingAnswer(
        team_name=decision.desk_name,
        deadline_seconds=int(decision.clock.total_seconds()),
        channel=GUIDE_CHANNEL,
        required_fields=list(dict.fromkeys((*kind_rules.required_fields, *rule.required_fields))),
        accepted_legal_bases=list(
            dict.fromkeys((*rule.accepted_legal_bases, *kind_rules.accepted_legal_bases))
        ),
        urgent=decision.urgent,
        instrument=code,
        instrument_inferred=inferred,
        inference_rule=next(
            (line for line in instruments.INFERENCE_RULES if line.startswith(f"{kind}:")), ""
        ),
        clock_source=rule.clock_source,
        document_required=rule.document_required,
        document_source=rule.document_source,
        retention_seconds=int(rule.retention.total_seconds()) if rule.retention else None,
        retention_months=rule.retention_months or None,
        extension_seconds=int(rule.extension.total_seconds()) if rule.extension else None,
        retention_source=rule.retention_source,
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
