"""The review policy: the rules staff apply before any data leaves the platform.

A versioned constant, not a database row. The rules that decide whether data leaves the
platform are the same for every country and every deployment; they change only by a reviewed
code change that bumps `REVIEW_POLICY_VERSION`, and every decision stores the version it
applied. Older versions stay in `REVIEW_POLICIES` so old decisions remain explainable. A
staff-editable row would let one office quietly answer the same request differently.

The policy is also the one place that says what each checklist item asserts: the LegalAnalysis
fields, the admin form and the review page take their labels from it. (So that the models can
read it, this module imports no model class at run time: only the enums.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.text import capfirst

from liaison.models.enums import RequestKind

if TYPE_CHECKING:
    from liaison.models import LegalAnalysis, LegalRequest

DISCLOSURE_KINDS = frozenset({RequestKind.DATA_DISCLOSURE, RequestKind.EMERGENCY_DISCLOSURE})


@dataclass(frozen=True)
class ReviewPolicy:
    """One version of the rules staff apply, the same everywhere."""

    version: str
    checks: tuple[tuple[str, str], ...]  # (LegalAnalysis field, what it asserts)
    disclosure_only_checks: frozenset[str]
    moderation_reference_label: str  # the evidence the "rules broken" check needs
    approvals_for_disclosure: int
    approvals_otherwise: int

    def required_checks(self, kind: str) -> list[tuple[str, str]]:
        """The checklist items that must all hold before a request of this kind is approved."""
        return [
            (name, label)
            for name, label in self.checks
            if kind in DISCLOSURE_KINDS or name not in self.disclosure_only_checks
        ]

    def approvals_required(self, kind: str) -> int:
        """How many different staff members must approve a request of this kind."""
        return (
            self.approvals_for_disclosure if kind in DISCLOSURE_KINDS else self.approvals_otherwise
        )

    def missing_checks(self, analysis: LegalAnalysis | None, kind: str) -> list[str]:
        """The labels of the required items the analysis does not (yet) confirm."""
        missing = []
        for name, label in self.required_checks(kind):
            if analysis is None or not getattr(analysis, name):
                missing.append(label)
            elif name == "rules_broken" and not analysis.moderation_reference.strip():
                missing.append(self.moderation_reference_label)
        return missing

    def label(self, name: str) -> str:
        """What the checklist field `name` asserts, as a form label ("Targets identified")."""
        labels = dict(self.checks, moderation_reference=self.moderation_reference_label)
        return capfirst(labels[name])


REVIEW_POLICIES = {
    "LRP-2026.1": ReviewPolicy(
        version="LRP-2026.1",
        checks=(
            ("authority_verified", "issuing authority verified and competent for the jurisdiction"),
            ("legal_basis_valid", "legal basis and attached legal document valid"),
            ("targets_identified", "targets identified"),
            ("rules_broken", "target accounts broke the platform's rules"),
            ("data_minimised", "only IP addresses and phone number requested"),
            ("proportionate", "the request is proportionate"),
        ),
        disclosure_only_checks=frozenset({"data_minimised"}),
        moderation_reference_label="moderation reference of the rule breach",
        approvals_for_disclosure=2,
        approvals_otherwise=1,
    ),
}
REVIEW_POLICY_VERSION = "LRP-2026.1"


def current_policy() -> ReviewPolicy:
    """The policy every new decision applies."""
    return REVIEW_POLICIES[REVIEW_POLICY_VERSION]


def distinct_approvers(legal_request: LegalRequest) -> int:
    """How many different staff members approved the request."""
    return (
        legal_request.approvals.filter(set_aside_at__isnull=True)
        .values("approver")
        .distinct()
        .count()
    )


def release_refusal(legal_request: LegalRequest) -> str | None:
    """Why data may not leave for this request (None when it may). Checked before a package is
    built and again on every read, so no path releases data without the approvals, nor from a
    request held for verification before its callback."""
    # Imported here: this module imports no model class at run time (the models read it).
    from liaison.intake_signals import hold_refusal

    held = hold_refusal(legal_request)
    if held is not None:
        return held
    if legal_request.kind not in DISCLOSURE_KINDS:
        return "Only disclosure requests produce data."
    policy = REVIEW_POLICIES.get(legal_request.review_policy_version) or current_policy()
    if distinct_approvers(legal_request) < policy.approvals_for_disclosure:
        return (
            f"Disclosure needs approvals from {policy.approvals_for_disclosure} different staff "
            "members."
        )
    if (
        legal_request.kind == RequestKind.EMERGENCY_DISCLOSURE
        and not legal_request.callbacks.exists()
    ):
        return (
            "Emergency disclosure needs a recorded callback to the organization's registered "
            "number first."
        )
    return None
