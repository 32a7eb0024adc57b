"""The review policy: the rules staff apply before any data leaves the platform.

A versioned constant, not a database row. The rules that decide whether data leaves the
platform are the same for every country and every deployment; they change only by a reviewed
code change that bumps `REVIEW_POLICY_VERSION`, and every decision stores the version it
applied. Older versions stay in `REVIEW_POLICIES` so old decisions remain explainable. A
staff-editable row would let one office quietly answer the same request differently.
"""

from __future__ import annotations

from dataclasses import dataclass

from liaison.models import (
    Approval,
    CallbackVerification,
    LegalAnalysis,
    LegalRequest,
    RequestKind,
)

DISCLOSURE_KINDS = frozenset({RequestKind.DATA_DISCLOSURE, RequestKind.EMERGENCY_DISCLOSURE})


@dataclass(frozen=True)
class ReviewPolicy:
    """One version of the rules staff apply, the same everywhere."""

    version: str
    checks: tuple[tuple[str, str], ...]  # (LegalAnalysis field, what it asserts)
    disclosure_only_checks: frozenset[str]
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
                missing.append("moderation reference for the rule breach")
        return missing


REVIEW_POLICIES = {
    "LRP-2026.1": ReviewPolicy(
        version="LRP-2026.1",
        checks=(
            ("authority_verified", "issuing authority verified and competent for jurisdiction"),
            ("legal_basis_valid", "legal basis and attached legal document valid"),
            ("targets_identified", "targets identified"),
            ("rules_broken", "target accounts broke the platform's rules"),
            ("data_minimised", "only IP addresses and phone number requested"),
            ("proportionate", "proportionate"),
        ),
        disclosure_only_checks=frozenset({"data_minimised"}),
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
        Approval.objects.filter(legal_request=legal_request, set_aside_at__isnull=True)
        .values("approver")
        .distinct()
        .count()
    )


def release_refusal(legal_request: LegalRequest) -> str | None:
    """Why data may not leave for this request (None when it may). Checked before a package is
    built and again on every read, so no path releases data without the approvals."""
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
        and not CallbackVerification.objects.filter(legal_request=legal_request).exists()
    ):
        return (
            "Emergency disclosure needs a recorded callback to the organization's registered "
            "number first."
        )
    return None
