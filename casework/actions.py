"""The buttons of the case page: one small form each, each calling one existing service.

Nothing here decides a rule. A ticket action is offered when the ticket's state admits it and
the switchboard's predicate allows this user; a review action is offered exactly when
liaison's `available_steps` offers that review step (the lifecycle's transition table, the
statuses its service accepts, the user's permissions); the services check everything again.
Irreversible actions (`confirm`) go through a confirmation page before they run.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms

from core.actors import Actor, internal_label
from hotline import services as hotline_services
from liaison.admin.review_steps import REVIEW_STEPS, available_steps
from switchboard import permissions as ticket_permissions
from switchboard import tickets
from switchboard.models import Ticket

CaseHandler = Callable[[Actor, Ticket, dict[str, Any]], object]


class EmptyForm(forms.Form):
    """An action without input."""


class ColleagueChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return internal_label(obj)


def assign_form(colleagues: list[Any]) -> type[forms.Form]:
    """Assign to one of the team's members (the service refuses one who cannot work tickets)."""
    from django.contrib.auth import get_user_model

    ids = [user.pk for user in colleagues]

    class AssignForm(forms.Form):
        assignee = ColleagueChoiceField(
            queryset=get_user_model().objects.filter(pk__in=ids),
            label="Colleague",
            empty_label="(choose a colleague)",
        )

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # The choices from the list already read (no second query to render them).
            field = self.fields["assignee"]
            field.choices = [("", field.empty_label or "")] + [  # type: ignore[attr-defined]
                (user.pk, internal_label(user)) for user in colleagues
            ]

    return AssignForm


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Reply to the organization",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Sent on the request's hotline line; the organization sees your desk and "
        "display name.",
    )
    client_message_id = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            # A resent form (double click, retry) sends the same message once.
            self.initial.setdefault("client_message_id", uuid.uuid4().hex)


def _reply(actor: Actor, ticket: Ticket, data: dict[str, Any]) -> object:
    conversation = hotline_services.conversation_open_for_request(
        actor=actor, legal_request_id=ticket.legal_request_id
    )
    return hotline_services.message_send(
        actor=actor,
        conversation_id=conversation.pk,
        body=data["body"],
        client_message_id=data["client_message_id"],
    )


@dataclass(frozen=True)
class CaseAction:
    """One button of the case page."""

    name: str
    title: str
    run: CaseHandler
    form: type[forms.Form] = EmptyForm
    confirm: str = ""  # irreversible: the question the confirmation page asks
    group: str = "ticket"  # "ticket", "review" or "hotline": where the page shows it


def _review_action(step: str, *, confirm: str = "", title: str = "") -> CaseAction:
    review_step = REVIEW_STEPS[step]
    return CaseAction(
        name=step,
        title=title or review_step.title,
        form=review_step.form,
        run=lambda actor, ticket, data: review_step.run(actor, ticket.legal_request, data),
        confirm=confirm,
        group="review",
    )


TICKET_ACTIONS: dict[str, CaseAction] = {
    "acknowledge": CaseAction(
        "acknowledge",
        "Acknowledge",
        lambda actor, ticket, data: tickets.ticket_acknowledge(ticket=ticket, actor=actor),
    ),
    "assign": CaseAction(
        "assign",
        "Assign",
        lambda actor, ticket, data: tickets.ticket_assign(
            ticket=ticket, actor=actor, assignee=data["assignee"]
        ),
    ),
    "escalate": CaseAction(
        "escalate",
        "Escalate now",
        lambda actor, ticket, data: tickets.ticket_escalate(ticket=ticket, actor=actor),
        confirm="Escalate this ticket now? The next step of the escalation chain (or the whole "
        "team) is notified at once.",
    ),
}

REVIEW_ACTIONS: dict[str, CaseAction] = {
    "start": _review_action("start"),
    "analysis": _review_action("analysis", title="Save the checklist"),
    "clarify": _review_action("clarify", title="Ask for clarification (the clock pauses)"),
    "cannot_comply": _review_action(
        "cannot_comply", title="Cannot comply (e-Evidence Annex III; the clock pauses)"
    ),
    "callback": _review_action("callback", title="Record the callback"),
    "approve": _review_action(
        "approve",
        confirm="Give your approval? It counts as one of the approvals this request needs and "
        "cannot be withdrawn.",
    ),
    "reject": _review_action(
        "reject",
        confirm="Reject this request? The authority is told at once; a rejection is final.",
    ),
    "fulfil": _review_action(
        "fulfil",
        confirm="Fulfil this request now? For a disclosure the signed package is produced and "
        "made available to the authority; this cannot be undone.",
    ),
}

HOTLINE_ACTIONS: dict[str, CaseAction] = {
    "reply": CaseAction("reply", "Send", _reply, form=ReplyForm, group="hotline"),
}

CASE_ACTIONS: dict[str, CaseAction] = {**TICKET_ACTIONS, **REVIEW_ACTIONS, **HOTLINE_ACTIONS}


def available_actions(ticket: Ticket, actor: Actor) -> list[str]:
    """The actions this user may take on the case now, in the page's order."""
    names: list[str] = []
    if ticket.state == Ticket.State.OPEN and ticket_permissions.can_acknowledge_ticket(actor):
        names.append("acknowledge")
    if ticket.state != Ticket.State.RESOLVED:
        if ticket_permissions.can_assign_ticket(actor):
            names.append("assign")
        if ticket_permissions.can_escalate_ticket(actor):
            names.append("escalate")
    steps = available_steps(ticket.legal_request, actor)
    names += [name for name in REVIEW_ACTIONS if name in steps]
    if actor.is_platform_staff:
        names.append("reply")
    return names


def action_form(action: CaseAction, colleagues: list[Any]) -> type[forms.Form]:
    """The action's form class (assigning needs the team's members)."""
    if action.name == "assign":
        return assign_form(colleagues)
    if "confirm" in action.form.base_fields:
        # The review step's own "are you sure" box: the confirmation page asks instead.
        return type(action.form.__name__, (action.form,), {"confirm": None})
    return action.form
