"""The routing policy's writes: its revision token, the fallback team, rules, and the default
policy seeded on every start."""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.actors import Actor
from liaison.audit import AuditAction, audit_record
from switchboard import permissions, selectors
from switchboard.defaults import (
    CLOCK_NOTES,
    DEFAULT_CHAINS,
    DEFAULT_CLOCKS,
    DEFAULT_FALLBACK_DESK,
    DEFAULT_FALLBACK_TEAM,
    DEFAULT_RULES,
    DEFAULT_TEAMS,
)
from switchboard.models import (
    EscalationChain,
    EscalationStep,
    LegalClock,
    PolicyRevision,
    RoutingRule,
    Team,
    TeamMember,
    Urgency,
)

logger = logging.getLogger(__name__)

# A record of the routing policy that staff edit (in admin) through these services.
PolicyRecord = Team | TeamMember | RoutingRule | LegalClock | EscalationChain | EscalationStep


def policy_revision_bump() -> None:
    """Record that the routing policy changed (in the caller's transaction)."""
    changed = PolicyRevision.objects.filter(pk=1).update(
        token=uuid.uuid4(), changed_at=timezone.now()
    )
    if not changed:
        PolicyRevision.objects.get_or_create(pk=1)


def team_fallback_ensure() -> Team:
    """The fallback team, created with the default desk if a database has none."""
    team = selectors.team_fallback_get()
    if team is not None:
        return team
    try:
        with transaction.atomic():
            team, _ = Team.objects.get_or_create(
                name=DEFAULT_FALLBACK_TEAM,
                defaults={"desk_name": DEFAULT_FALLBACK_DESK, "is_fallback": True},
            )
            if not team.is_fallback:
                Team.objects.filter(pk=team.pk).update(is_fallback=True)
                policy_revision_bump()
    except IntegrityError:  # another process created it at the same moment
        pass
    team = selectors.team_fallback_get()
    if team is None:  # pragma: no cover - only if the row vanished between the two statements
        raise RuntimeError("No fallback team could be created.")
    return team


def team_make_fallback(*, actor: Actor, team: Team) -> Team:
    """Move the fallback role to `team` (there is always exactly one fallback)."""
    permissions.require(actor, permissions.can_edit_policy)
    with transaction.atomic():
        previous = list(Team.objects.filter(is_fallback=True).values_list("name", flat=True))
        Team.objects.filter(is_fallback=True).exclude(pk=team.pk).update(is_fallback=False)
        Team.objects.filter(pk=team.pk).update(is_fallback=True)
        policy_revision_bump()
        audit_record(
            actor=actor,
            action=AuditAction.POLICY_SAVED,
            object_type="Team",
            object_id=team.pk,
            details={"changes": {"fallback": {"from": previous, "to": [team.name]}}},
        )
    team.refresh_from_db()
    return team


def _jsonable(value: Any) -> Any:
    """A field value as the audit log stores it (no floats, durations in seconds)."""
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def _fields(record: PolicyRecord) -> dict[str, Any]:
    return {
        field.attname: _jsonable(getattr(record, field.attname))
        for field in record._meta.concrete_fields
        if field.attname not in ("last_error", "last_error_at", "error_count")
    }


def _stored_fields(record: PolicyRecord) -> dict[str, Any] | None:
    if record.pk is None:
        return None
    stored = type(record)._default_manager.filter(pk=record.pk).first()
    return _fields(stored) if stored is not None else None


def _audit_policy(
    actor: Actor | None, record: PolicyRecord, action: str, before: dict[str, Any] | None
) -> None:
    """Audit one change of the routing policy (rules, clocks, chains, steps, teams): what each
    changed field was before and is now."""
    after = _fields(record) if action == AuditAction.POLICY_SAVED else None
    keys = sorted(set(before or {}) | set(after or {}))
    changes = {
        key: {"from": (before or {}).get(key), "to": (after or {}).get(key)}
        for key in keys
        if (before or {}).get(key) != (after or {}).get(key)
    }
    if action == AuditAction.POLICY_SAVED and not changes:
        return
    audit_record(
        actor=actor,
        action=action,
        object_type=type(record).__name__,
        object_id=record.pk,
        details={"created": before is None, "changes": changes},
    )


def routing_rule_save(*, actor: Actor, rule: RoutingRule) -> RoutingRule:
    """Validate (field-level errors) and save a routing rule (audited)."""
    permissions.require(actor, permissions.can_edit_policy)
    with transaction.atomic():
        before = _stored_fields(rule)
        _routing_rule_save(rule)
        _audit_policy(actor, rule, AuditAction.POLICY_SAVED, before)
    return rule


def _routing_rule_save(rule: RoutingRule) -> RoutingRule:
    rule.full_clean()
    rule.save()
    return rule


def policy_record_save(*, actor: Actor, record: PolicyRecord) -> PolicyRecord:
    """Save a team, team membership, legal clock, escalation chain or step that a form has
    validated (a routing rule: `routing_rule_save`); the revision token follows (signals).
    Every change is audited with its old and new values."""
    permissions.require(actor, permissions.can_edit_policy)
    if isinstance(record, RoutingRule):
        return routing_rule_save(actor=actor, rule=record)
    with transaction.atomic():
        before = _stored_fields(record)
        record.save()
        _audit_policy(actor, record, AuditAction.POLICY_SAVED, before)
    return record


def policy_record_delete(*, actor: Actor, record: PolicyRecord) -> None:
    """Delete a record of the routing policy (the database refuses one still in use); audited
    with what it was."""
    permissions.require(actor, permissions.can_edit_policy)
    with transaction.atomic():
        before = _stored_fields(record)
        pk = record.pk
        record.delete()
        record.pk = pk
        _audit_policy(actor, record, AuditAction.POLICY_DELETED, before)


def legal_clock_seed_defaults() -> None:
    """Create the default legal clocks of DESIGN.md that are missing (never overwrites edits)."""
    for (kind, category), duration in DEFAULT_CLOCKS.items():
        LegalClock.objects.get_or_create(
            kind=kind,
            category=category or "",
            defaults={"duration": duration, "note": CLOCK_NOTES.get((kind, category), "")},
        )


def switchboard_seed_defaults() -> None:
    """Idempotently create the default teams, escalation chains, routing rules and legal clocks.

    Existing rows (matched by name, or kind x category for clocks) are left as staff edited
    them; only missing ones are created. Safe to run on every start.
    """
    with transaction.atomic():
        legal_clock_seed_defaults()
        chains: dict[str, EscalationChain] = {}
        for name, (warn_before, steps) in DEFAULT_CHAINS.items():
            chain, created = EscalationChain.objects.get_or_create(
                name=name, defaults={"warn_before": warn_before}
            )
            if created:
                EscalationStep.objects.bulk_create(
                    EscalationStep(chain=chain, position=i, wait_minutes=wait, action=action)
                    for i, (wait, action) in enumerate(steps)
                )
            chains[name] = chain
        teams: dict[str, Team] = {}
        has_fallback = Team.objects.filter(is_fallback=True).exists()
        for name, desk, email, chain_name in DEFAULT_TEAMS:
            team, _ = Team.objects.get_or_create(
                name=name,
                defaults={
                    "desk_name": desk,
                    "email": email,
                    "escalation_chain": chains[chain_name],
                    "is_fallback": name == DEFAULT_FALLBACK_TEAM and not has_fallback,
                },
            )
            if team.escalation_chain_id is None and team.tickets.count() == 0:
                # Created bare by the migration of a fresh database: give it its chain.
                Team.objects.filter(pk=team.pk).update(escalation_chain=chains[chain_name])
                policy_revision_bump()
            teams[name] = team
        for spec in DEFAULT_RULES:
            if RoutingRule.objects.filter(name=spec["name"]).exists():
                continue
            rule = RoutingRule(
                position=spec["position"],
                name=spec["name"],
                team=teams[spec["team"]],
                kinds=[str(k) for k in spec.get("kinds", [])],
                categories=[str(c) for c in spec.get("categories", [])],
                countries=spec.get("countries", []),
                region=spec.get("region", ""),
                urgency=spec.get("urgency", Urgency.ANY),
                escalation_chain=chains.get(spec.get("chain", "")),
            )
            _routing_rule_save(rule)
    team_fallback_ensure()
