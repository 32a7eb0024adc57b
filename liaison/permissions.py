"""What each platform staff member may do in the legal review: one predicate per verb, used by
the services (the one place that decides; the one transition service checks the staff moves
again, whoever calls it) and by admin (to show only what the user may use).

Permissions are declared on LegalRequest (Meta.permissions) and granted through two groups:
`legal_reviewer` reviews, approves, rejects and fulfils; `callback_officer` records the
emergency callbacks and verifies organizations (both are calls to an independently sourced
number). Superusers hold every permission. Seeing a request in admin takes its view
permissions, which both groups (and the switchboard's) have.
"""

from __future__ import annotations

from collections.abc import Callable

from core.actors import Actor, permission_denied
from liaison.models.enums import RequestStatus

LEGAL_REVIEWER = "legal_reviewer"
CALLBACK_OFFICER = "callback_officer"

REVIEW = "liaison.review_legalrequest"
FULFIL = "liaison.fulfil_legalrequest"
RECORD_CALLBACK = "liaison.record_callback"
CHANGE_ORGANIZATION = "liaison.change_organization"

# Reading a request and what the request page shows with it (admin view permissions).
REQUEST_VIEW_PERMISSIONS = (
    "liaison.view_legalrequest",
    "liaison.view_target",
    "liaison.view_timelineentry",
    "liaison.view_legaldocument",
    "liaison.view_organization",
)
# What the review groups see besides the request page (migration 0014).
PRESERVATION_VIEW = "liaison.view_preservation"

STAFF_GROUPS: dict[str, tuple[str, ...]] = {
    LEGAL_REVIEWER: (REVIEW, FULFIL, *REQUEST_VIEW_PERMISSIONS, PRESERVATION_VIEW),
    # Verifying an organization is a call to its independently sourced number, as a callback is.
    CALLBACK_OFFICER: (
        RECORD_CALLBACK,
        CHANGE_ORGANIZATION,
        *REQUEST_VIEW_PERMISSIONS,
        PRESERVATION_VIEW,
    ),
}


def can_start_review(actor: Actor | None) -> bool:
    """Take a routed request into legal review."""
    return actor is not None and actor.has_perm(REVIEW)


def can_record_analysis(actor: Actor | None) -> bool:
    """Fill in the legal analysis checklist."""
    return actor is not None and actor.has_perm(REVIEW)


def can_ask_clarification(actor: Actor | None) -> bool:
    """Ask the authority a question (the clock pauses)."""
    return actor is not None and actor.has_perm(REVIEW)


def can_approve_legal_request(actor: Actor | None) -> bool:
    """Give one of the approvals a request needs (four eyes: two different reviewers)."""
    return actor is not None and actor.has_perm(REVIEW)


def can_reject_legal_request(actor: Actor | None) -> bool:
    """Refuse a request with a reason code."""
    return actor is not None and actor.has_perm(REVIEW)


def can_fulfil_legal_request(actor: Actor | None) -> bool:
    """Fulfil an approved request (for a disclosure: produce the signed package)."""
    return actor is not None and actor.has_perm(FULFIL)


def can_record_callback(actor: Actor | None) -> bool:
    """Record the out-of-band callback that confirms an emergency request."""
    return actor is not None and actor.has_perm(RECORD_CALLBACK)


def can_change_organization(actor: Actor | None) -> bool:
    """Change what the intake checks rely on: an organization's e-mail domain, webhook, contact,
    or (with a second staff member's approval) its callback number."""
    return actor is not None and actor.has_perm(CHANGE_ORGANIZATION)


# The staff moves of the lifecycle's transition table, and the predicate each takes: the one
# service that moves a request checks them too, whoever calls it.
STAFF_MOVES: dict[str, Callable[[Actor | None], bool]] = {
    RequestStatus.ROUTED: can_start_review,
    RequestStatus.UNDER_REVIEW: can_start_review,
    RequestStatus.NEEDS_INFO: can_ask_clarification,
    RequestStatus.APPROVED: can_approve_legal_request,
    RequestStatus.REJECTED: can_reject_legal_request,
    RequestStatus.FULFILLED: can_fulfil_legal_request,
}


# What each predicate would have taken, for its refusal: (what, group, permission).
_REFUSALS: dict[Callable[[Actor | None], bool], tuple[str, str, str]] = {
    can_start_review: ("start a legal review", LEGAL_REVIEWER, REVIEW),
    can_record_analysis: ("record the legal analysis", LEGAL_REVIEWER, REVIEW),
    can_ask_clarification: ("ask the authority for clarification", LEGAL_REVIEWER, REVIEW),
    can_approve_legal_request: ("approve legal requests", LEGAL_REVIEWER, REVIEW),
    can_reject_legal_request: ("reject legal requests", LEGAL_REVIEWER, REVIEW),
    can_fulfil_legal_request: ("fulfil legal requests", LEGAL_REVIEWER, FULFIL),
    can_record_callback: ("record emergency callbacks", CALLBACK_OFFICER, RECORD_CALLBACK),
    can_change_organization: ("change organizations", "superuser", CHANGE_ORGANIZATION),
}


def require(actor: Actor | None, predicate: Callable[[Actor | None], bool]) -> Actor:
    """The actor, if `predicate` (one of the above) allows it; otherwise a ValidationError with
    code `permission_denied` that names the group it takes."""
    if actor is None or not predicate(actor):
        what, group, permission = _REFUSALS[predicate]
        raise permission_denied(what, group=group, permission=permission)
    return actor
