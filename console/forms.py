"""The console's forms. They parse what a browser sends and show errors; the rules are the
services' (liaison.submission, review, documents, tokens, organizations; console.services):
`apply_service_errors` puts a service's ValidationError fields onto the form, so a page says
exactly what the API says for the same input."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.labels import translated_choices
from liaison import instruments
from liaison.models import (
    DataCategory,
    LegalInstrument,
    Membership,
    OrganizationKind,
    RequestCategory,
    RequestKind,
    RequestStatus,
    TargetKind,
)

TARGET_ROWS = 5
BLANK: list[tuple[str, Any]] = [("", _("Any"))]


def apply_service_errors(
    form: forms.Form, error: ValidationError, field_map: Mapping[str, str | None] | None = None
) -> None:
    """Put a service's ValidationError on `form`: each named field on the form's field (through
    `field_map`, e.g. the API's `legalBasis` → `legal_basis`), anything else above the form."""
    field_map = field_map or {}
    if not hasattr(form, "cleaned_data"):  # an unbound form (a button without fields)
        form.cleaned_data = {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, [_translated(each) for each in error.error_list])
        return
    for field, errors in error.error_dict.items():
        target = field_map.get(field, field)
        shown = [_translated(each) for each in errors]
        if target is not None and target in form.fields:
            form.add_error(target, shown)
        else:
            form.add_error(None, shown)


def _translated(error: ValidationError) -> ValidationError:
    """A service's error in the page's language. Services give English (the API's text) with
    the sentence marked for the catalogues (gettext_noop) and its values in `params`; the page
    translates the sentence, then fills in the values."""
    return ValidationError(gettext(str(error.message)), code=error.code, params=error.params)


class _AnyChoices(forms.MultipleChoiceField):
    """Checkboxes whose values the service checks (with its own messages), not the form."""

    def validate(self, value: Any) -> None:
        return None


def kinds_for(organization_kind: str) -> list[tuple[str, str | Promise]]:
    """The request kinds an organization of this kind may send, from the instrument table."""
    return [
        (kind, _(RequestKind(kind).label))
        for kind, instrument in instruments.INSTRUMENTS.items()
        if organization_kind in instrument.senders
    ]


def instruments_for(organization_kind: str) -> list[tuple[str, str | Promise]]:
    """The legal instruments (liaison.instruments.LEGAL_INSTRUMENTS) for a kind of request this
    organization may send."""
    kinds = {kind for kind, _ in kinds_for(organization_kind)}
    return [
        (code, _(LegalInstrument(code).label))
        for code, rule in instruments.LEGAL_INSTRUMENTS.items()
        if rule.kinds & kinds
    ]


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


class SubmitRequestForm(forms.Form):
    """A legal request, with a row per target; every field is checked by the intake service."""

    kind = forms.CharField(label=_("Kind of request"), widget=forms.Select, required=False)
    instrument = forms.CharField(
        label=_("Legal instrument"),
        widget=forms.Select,
        required=False,
        help_text=_("Fixes the clock and what the request must carry; see the instruments above."),
    )
    category = forms.CharField(
        label=_("Category of harm"),
        required=False,
        widget=forms.Select(
            choices=[("", _("Choose…")), *translated_choices(RequestCategory.choices)]
        ),
    )
    reference = forms.CharField(label=_("Your reference (file number)"), required=False)
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        required=False,
        widget=forms.TextInput(attrs={"list": "legal-bases"}),
    )
    jurisdiction = forms.CharField(label=_("Jurisdiction"), widget=forms.Select, required=False)
    summary = forms.CharField(
        label=_("Summary of the facts"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    data_categories = _AnyChoices(
        label=_("Data requested (disclosure and preservation only)"),
        required=False,
        choices=translated_choices(DataCategory.choices),
        widget=forms.CheckboxSelectMultiple,
    )
    period_start = forms.DateTimeField(
        label=_("Data period from (UTC)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    period_end = forms.DateTimeField(
        label=_("Data period until (UTC)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    preservation = forms.CharField(
        label=_("Preservation this production request follows (optional)"),
        widget=forms.Select,
        required=False,
        help_text=_("The preserved data is then kept until this request is answered."),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False)

    # The API's names for the fields above, and for each target row.
    FIELD_MAP: Mapping[str, str | None] = {
        "legalBasis": "legal_basis",
        "dataCategories": "data_categories",
        "periodStart": "period_start",
        "periodEnd": "period_end",
        "idempotencyKey": None,
        "preservationId": "preservation",
    }

    def __init__(
        self,
        *args: Any,
        organization_kind: str,
        default_country: str,
        preservations: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.choices = [("", _("Choose…")), *kinds_for(organization_kind)]
        self.fields["instrument"].widget.choices = [
            ("", _("Infer it from kind and country")),
            *instruments_for(organization_kind),
        ]
        self.fields["preservation"].widget.choices = [("", _("None")), *(preservations or [])]
        self.fields["jurisdiction"].widget.choices = instruments.country_choices()
        self.fields["jurisdiction"].initial = default_country
        target_choices = [("", _("Choose…")), *translated_choices(TargetKind.choices)]
        for row in range(TARGET_ROWS):
            self.fields[f"target_kind_{row}"] = forms.CharField(
                label=_("Target %(number)s: kind") % {"number": row + 1},
                required=False,
                widget=forms.Select(choices=target_choices),
            )
            self.fields[f"target_value_{row}"] = forms.CharField(
                label=_("Target %(number)s: value") % {"number": row + 1},
                required=False,
            )

    def clean_preservation(self) -> uuid.UUID | None:
        """The named preservation's id (the service checks that it is the organization's)."""
        value = (self.cleaned_data.get("preservation") or "").strip()
        if not value:
            return None
        parsed = _uuid_or_none(value)
        if parsed is None:  # the API's message for an id that is not one of yours
            raise ValidationError(
                _("No preservation of your organization with this id."), code="not_found"
            )
        return parsed

    def target_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"target_kind_{r}"], self[f"target_value_{r}"]) for r in range(TARGET_ROWS)]

    def filled_targets(self) -> list[tuple[int, str, str]]:
        """(row, kind, value) of the rows that say anything."""
        rows = []
        for row in range(TARGET_ROWS):
            kind = self.cleaned_data.get(f"target_kind_{row}") or ""
            value = self.cleaned_data.get(f"target_value_{row}") or ""
            if kind or value.strip():
                rows.append((row, kind, value))
        return rows

    def field_map(self, rows: list[tuple[int, str, str]]) -> dict[str, str | None]:
        """The API field names of this submission → the form's fields (targets by row)."""
        mapping: dict[str, str | None] = dict(self.FIELD_MAP)
        mapping["targets"] = f"target_value_{rows[0][0] if rows else 0}"
        for position, (row, _kind, _value) in enumerate(rows):
            mapping[f"targets.{position}.value"] = f"target_value_{row}"
            mapping[f"targets.{position}.kind"] = f"target_kind_{row}"
        return mapping


class PreservationExtendForm(forms.Form):
    """The one extension of a preservation: a confirmation box (the rules are the service's)."""

    confirm = forms.BooleanField(
        label=_("Yes, ask for the one extension the instrument allows (it cannot be asked twice)")
    )


class CorrectionForm(forms.Form):
    """The authority's correction after a cannot-comply answer (cannot_comply.legal_request_correct
    checks it): what it corrected and, optionally, a new legal basis and summary."""

    correction = forms.CharField(
        label=_("What you corrected"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    legal_basis = forms.CharField(
        label=_("Corrected legal basis (leave empty if unchanged)"), required=False
    )
    summary = forms.CharField(
        label=_("Corrected summary (leave empty if unchanged)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    FIELD_MAP: Mapping[str, str | None] = {"legalBasis": "legal_basis", "id": None}


class NonDisclosureOrderForm(forms.Form):
    """A non-disclosure order: attach (legal basis and date) or extend (a later date; the
    basis of the extension, the order's own when empty). liaison.user_notice checks both."""

    legal_basis = forms.CharField(label=_("Legal basis of the order"), required=False)
    until = forms.DateTimeField(
        label=_("The user may not be told before (UTC)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    FIELD_MAP: Mapping[str, str | None] = {"legalBasis": "legal_basis", "requestId": None}


class RequestFilterForm(forms.Form):
    """The filters of the request list."""

    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=BLANK + translated_choices(RequestStatus.choices)
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=BLANK + translated_choices(RequestKind.choices)
    )
    reference = forms.CharField(label=_("Reference"), required=False)
    jurisdiction = forms.CharField(
        label=_("Jurisdiction"),
        required=False,
        max_length=2,
        widget=forms.TextInput(attrs={"size": 3}),
    )
    due = forms.ChoiceField(
        label=_("Deadline"),
        required=False,
        choices=[
            ("", _("Any")),
            ("soon", _("Due soon")),
            ("overdue", _("Overdue")),
            ("paused", _("Paused")),
        ],
    )


class AnswerForm(forms.Form):
    """The answer to staff's question."""

    answer = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 4}))


class DocumentForm(forms.Form):
    """The signed legal order (PDF)."""

    file = forms.FileField(label=_("Signed legal order (PDF, at most 20 MB)"))


class TokenForm(forms.Form):
    """A new API token."""

    label = forms.CharField(label=_("Name"), max_length=100)
    expires_in_days = forms.IntegerField(
        label=_("Expires after (days)"), min_value=1, max_value=365, initial=90
    )


class InviteForm(forms.Form):
    """An invitation to a colleague."""

    email = forms.EmailField(label=_("Colleague's e-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=translated_choices(Membership.Role.choices))


class MemberRoleForm(forms.Form):
    """A member's role."""

    role = forms.ChoiceField(label=_("Role"), choices=translated_choices(Membership.Role.choices))


class WebhookForm(forms.Form):
    """The webhook URL."""

    webhook_url = forms.CharField(label=_("Webhook URL"), required=False, max_length=500)


class ContactsForm(forms.Form):
    """Where status e-mails go."""

    contact_email = forms.CharField(label=_("Status e-mails to"), required=False, max_length=254)


class AccessRequestForm(forms.Form):
    """The public request for access (console.services.access_request_submit checks it)."""

    kind = forms.ChoiceField(
        label=_("We are"), choices=translated_choices(OrganizationKind.choices)
    )
    name = forms.CharField(label=_("Organization's official name"), max_length=200)
    country = forms.ChoiceField(label=_("Country"))
    official_domain = forms.CharField(
        label=_("Official internet domain"),
        max_length=253,
        help_text=_("For example police.example.gov"),
    )
    registry_identifier = forms.CharField(
        label=_("Registry or agency identifier"),
        max_length=200,
        help_text=_("An ORI, agency code, company or charity register number."),
    )
    switchboard_phone = forms.CharField(
        label=_("Switchboard telephone number"),
        max_length=40,
        help_text=_("The main number as a public directory lists it, e.g. +49 611 550."),
    )
    directory_source = forms.CharField(
        label=_("Where that number is published"),
        max_length=500,
        help_text=_("The public directory or official web page (address or name)."),
    )
    applicant_name = forms.CharField(label=_("Your name"), max_length=200)
    applicant_role = forms.CharField(label=_("Your function"), max_length=200)
    applicant_email = forms.EmailField(label=_("Your official e-mail address"))
    notes = forms.CharField(
        label=_("Anything else staff should know"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [  # type: ignore[attr-defined]
            ("", _("Choose…")),
            *instruments.country_choices(),
        ]


class AcceptInvitationForm(forms.Form):
    """Choosing a password for an invitation."""

    password = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )
    password_again = forms.CharField(
        label=_("The password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )


class VerificationCallForm(forms.Form):
    """Staff's record of the verification call (admin)."""

    dialled_number = forms.CharField(
        label="Number you dialled",
        max_length=40,
        help_text="Looked up by you in an independent directory, not copied from the application.",
    )
    number_source = forms.CharField(label="Where you found the number", max_length=500)
    person_reached = forms.CharField(label="Person reached (name, function)", max_length=200)
    confirmed = forms.TypedChoiceField(
        label="Outcome",
        choices=[
            ("yes", "Confirmed: the organization vouches for the applicant"),
            ("no", "Not confirmed: reject the request"),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))
