"""The review steps of a legal request in admin: a small form each, each calling one service.

Which steps a request offers is not decided here: a step that moves the request is offered when
the lifecycle's transition table lets staff make that move from the request's status; a step
that records something without moving it (analysis, callback) is offered in the statuses its
service accepts; and only to staff whom the step's predicate of liaison.permissions allows (the
service checks the same predicate). The checklist form is built from the review policy's checks
and labels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms

from core.actors import Actor
from liaison import cannot_comply, disclosure, intake_signals, lifecycle, permissions, review
from liaison.models import (
    CannotComplyGround,
    LegalRequest,
    RejectionReason,
    RequestKind,
    RequestStatus,
)
from liaison.review_policy import current_policy

ReviewHandler = Callable[[Actor, LegalRequest, dict[str, Any]], object]


class NoteForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


def _analysis_form() -> type[forms.Form]:
    """The checklist: one box per check of the review policy, in its order and with its label;
    the moderation reference follows the rule-breach box that needs it."""
    policy = current_policy()
    fields: dict[str, forms.Field] = {}
    for name, _ in policy.checks:
        fields[name] = forms.BooleanField(required=False, label=policy.label(name))
        if name == "rules_broken":
            fields["moderation_reference"] = forms.CharField(
                required=False, max_length=200, label=policy.label("moderation_reference")
            )
    fields["notes"] = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    return type("AnalysisForm", (forms.Form,), fields)


AnalysisForm = _analysis_form()


class RejectForm(forms.Form):
    reason_code = forms.ChoiceField(choices=RejectionReason.choices)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ClarifyForm(forms.Form):
    question = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), help_text="Sent to the authority."
    )


class CannotComplyForm(forms.Form):
    ground = forms.ChoiceField(choices=CannotComplyGround.choices, label="Annex III ground")
    explanation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), help_text="Sent to the authority."
    )


class CallbackForm(forms.Form):
    officer_name = forms.CharField(max_length=200, label="Officer reached")
    confirmed = forms.BooleanField(
        required=False, label="The officer confirmed the request is genuine"
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class FulfilForm(forms.Form):
    confirm = forms.BooleanField(
        label="Produce the result now (for disclosures: the signed package)"
    )
    no_data_held = forms.BooleanField(
        required=False,
        label="No data held: fulfil without a package and tell the authority so",
        help_text="Only when the platform holds nothing for the targets in the period.",
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


@dataclass(frozen=True)
class ReviewStep:
    """One button on the request page: its title, its form, and the service it calls.

    `moves_to`: the status the step moves the request to (offered when the transition table
    lets staff make that move); otherwise `during`: the statuses in which it is recorded.
    """

    title: str
    form: type[forms.Form]
    run: ReviewHandler
    permitted: Callable[[Actor | None], bool]  # who may take it (liaison.permissions)
    moves_to: str | None = None
    during: frozenset[str] = frozenset()
    kinds: frozenset[str] | None = None  # None: every kind
    # Offered for a request outside `kinds` too when this says so (the verification callback of
    # a request held at intake).
    also_when: Callable[[LegalRequest], bool] | None = None

    def offered(self, legal_request: LegalRequest, staff_moves: list[str]) -> bool:
        if (
            self.kinds is not None
            and legal_request.kind not in self.kinds
            and not (self.also_when is not None and self.also_when(legal_request))
        ):
            return False
        if self.moves_to is not None:
            return self.moves_to in staff_moves
        return legal_request.status in self.during


REVIEW_STEPS: dict[str, ReviewStep] = {
    "start": ReviewStep(
        "Start legal review",
        NoteForm,
        lambda actor, lr, data: review.legal_request_start_review(
            actor=actor, legal_request=lr, note=data["note"]
        ),
        permitted=permissions.can_start_review,
        moves_to=RequestStatus.UNDER_REVIEW,
    ),
    "analysis": ReviewStep(
        "Legal analysis checklist",
        AnalysisForm,
        lambda actor, lr, data: review.legal_analysis_record(actor=actor, legal_request=lr, **data),
        permitted=permissions.can_record_analysis,
        during=review.ANALYSIS_STATUSES,
    ),
    "approve": ReviewStep(
        "Approve",
        NoteForm,
        lambda actor, lr, data: review.legal_request_approve(
            actor=actor, legal_request=lr, note=data["note"]
        ),
        permitted=permissions.can_approve_legal_request,
        moves_to=RequestStatus.APPROVED,
    ),
    "reject": ReviewStep(
        "Reject",
        RejectForm,
        lambda actor, lr, data: review.legal_request_reject(
            actor=actor, legal_request=lr, reason_code=data["reason_code"], note=data["note"]
        ),
        permitted=permissions.can_reject_legal_request,
        moves_to=RequestStatus.REJECTED,
    ),
    "clarify": ReviewStep(
        "Ask the authority for clarification (the clock pauses)",
        ClarifyForm,
        lambda actor, lr, data: review.legal_request_ask_clarification(
            actor=actor, legal_request=lr, question=data["question"]
        ),
        permitted=permissions.can_ask_clarification,
        moves_to=RequestStatus.NEEDS_INFO,
    ),
    "cannot_comply": ReviewStep(
        "Cannot comply (e-Evidence Annex III)",
        CannotComplyForm,
        lambda actor, lr, data: cannot_comply.legal_request_cannot_comply(
            actor=actor, legal_request=lr, ground=data["ground"], explanation=data["explanation"]
        ),
        permitted=permissions.can_ask_clarification,
        moves_to=RequestStatus.NEEDS_INFO,
    ),
    "callback": ReviewStep(
        "Record the callback (emergency, or held for verification)",
        CallbackForm,
        lambda actor, lr, data: review.legal_request_record_callback(
            actor=actor,
            legal_request=lr,
            officer_name=data["officer_name"],
            confirmed=data["confirmed"],
            notes=data["notes"],
        ),
        permitted=permissions.can_record_callback,
        during=review.CALLBACK_STATUSES,
        kinds=frozenset({RequestKind.EMERGENCY_DISCLOSURE}),
        also_when=lambda lr: not lr._state.adding and intake_signals.is_held(lr),
    ),
    "fulfil": ReviewStep(
        "Fulfil",
        FulfilForm,
        lambda actor, lr, data: disclosure.legal_request_fulfil(
            actor=actor, legal_request=lr, note=data["note"], no_data_held=data["no_data_held"]
        ),
        permitted=permissions.can_fulfil_legal_request,
        moves_to=RequestStatus.FULFILLED,
    ),
}


def available_steps(legal_request: LegalRequest, actor: Actor | None = None) -> list[str]:
    """The review steps staff can take on the request in its current status, in order; with
    `actor`, only those its permissions allow."""
    staff_moves = lifecycle.allowed_moves(legal_request.status, role=lifecycle.Role.STAFF)
    return [
        name
        for name, step in REVIEW_STEPS.items()
        if step.offered(legal_request, staff_moves) and (actor is None or step.permitted(actor))
    ]
