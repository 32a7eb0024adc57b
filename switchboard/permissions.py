"""What each platform staff member may do in the switchboard: one predicate per verb, used by
the services (the one place that decides) and by admin (to show only what the user may use).

Permissions are declared on Ticket (`work_ticket`) and on PolicyRevision, the routing policy as
a whole (`edit_policy`), and granted through two groups: `switchboard` works tickets;
`policy_admin` edits teams, routing rules, legal clocks and escalation chains, and is the only
group with the change permissions of those models. Superusers hold every permission.
"""

from __future__ import annotations

from collections.abc import Callable

from core.actors import Actor, permission_denied
from liaison.permissions import REQUEST_VIEW_PERMISSIONS

SWITCHBOARD = "switchboard"
POLICY_ADMIN = "policy_admin"

WORK_TICKET = "switchboard.work_ticket"
EDIT_POLICY = "switchboard.edit_policy"

# The models of the routing policy (their change permissions go to policy_admin only).
POLICY_MODELS = (
    "team",
    "teammember",
    "routingrule",
    "legalclock",
    "escalationchain",
    "escalationstep",
)
POLICY_VIEW_PERMISSIONS = tuple(f"switchboard.view_{model}" for model in POLICY_MODELS)

STAFF_GROUPS: dict[str, tuple[str, ...]] = {
    SWITCHBOARD: (
        WORK_TICKET,
        "switchboard.view_ticket",
        "switchboard.view_notification",
        *POLICY_VIEW_PERMISSIONS,
        *REQUEST_VIEW_PERMISSIONS,
    ),
    POLICY_ADMIN: (
        EDIT_POLICY,
        *(
            f"switchboard.{action}_{model}"
            for model in POLICY_MODELS
            for action in ("add", "change", "delete", "view")
        ),
    ),
}


def can_acknowledge_ticket(actor: Actor | None) -> bool:
    """Take note of a ticket (its escalation stops)."""
    return actor is not None and actor.has_perm(WORK_TICKET)


def can_assign_ticket(actor: Actor | None) -> bool:
    """Give a ticket to a staff member (who must be able to work tickets too)."""
    return actor is not None and actor.has_perm(WORK_TICKET)


def can_escalate_ticket(actor: Actor | None) -> bool:
    """Escalate a ticket by hand."""
    return actor is not None and actor.has_perm(WORK_TICKET)


def can_resolve_ticket(actor: Actor | None) -> bool:
    """Close a ticket."""
    return actor is not None and actor.has_perm(WORK_TICKET)


def can_edit_policy(actor: Actor | None) -> bool:
    """Add, change or delete teams, routing rules, legal clocks and escalation chains."""
    return actor is not None and actor.has_perm(EDIT_POLICY)


# What each predicate would have taken, for its refusal: (what, group, permission).
_REFUSALS: dict[Callable[[Actor | None], bool], tuple[str, str, str]] = {
    can_acknowledge_ticket: ("acknowledge tickets", SWITCHBOARD, WORK_TICKET),
    can_assign_ticket: ("assign tickets", SWITCHBOARD, WORK_TICKET),
    can_escalate_ticket: ("escalate tickets", SWITCHBOARD, WORK_TICKET),
    can_resolve_ticket: ("resolve tickets", SWITCHBOARD, WORK_TICKET),
    can_edit_policy: ("edit the routing policy", POLICY_ADMIN, EDIT_POLICY),
}


def require(actor: Actor | None, predicate: Callable[[Actor | None], bool]) -> Actor:
    """The actor, if `predicate` (one of the above) allows it; otherwise a ValidationError with
    code `permission_denied` that names the group it takes."""
    if actor is None or not predicate(actor):
        what, group, permission = _REFUSALS[predicate]
        raise permission_denied(what, group=group, permission=permission)
    return actor
