"""Keeps the routing policy's revision token current: any saved or deleted team, rule, clock or
escalation chain invalidates the per-process policy cache (switchboard.selectors)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from switchboard.models import EscalationChain, EscalationStep, LegalClock, RoutingRule, Team
from switchboard.policy import policy_revision_bump

POLICY_MODELS = (Team, RoutingRule, LegalClock, EscalationChain, EscalationStep)

# Fields the switchboard itself writes on a rule (its error record): not a policy change.
RULE_BOOKKEEPING = frozenset({"last_error", "last_error_at", "error_count"})


def _policy_changed(sender: Any, update_fields: Any = None, **kwargs: Any) -> None:
    if sender is RoutingRule and update_fields and set(update_fields) <= RULE_BOOKKEEPING:
        return
    policy_revision_bump()


def connect() -> None:
    """Connect the receivers (called once from the app config)."""
    for model in POLICY_MODELS:
        post_save.connect(
            _policy_changed, sender=model, dispatch_uid=f"policy-save-{model.__name__}"
        )
        post_delete.connect(
            _policy_changed, sender=model, dispatch_uid=f"policy-delete-{model.__name__}"
        )
