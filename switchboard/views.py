"""Public HTML pages of the switchboard: the routing guide (`/guide/`)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from core.durations import humanize_duration
from liaison import instruments
from liaison.models import LegalInstrument, RequestCategory, RequestKind
from switchboard import selectors

FIELD_LABELS = {
    "reference": _("Your file number (reference)"),
    "legalBasis": _("Legal basis (statute or instrument)"),
    "jurisdiction": _("Jurisdiction (ISO country code)"),
    "summary": _("Summary of the facts"),
    "targets": _("Targets (accounts, channels or message links)"),
    "dataCategories": _("Data requested (IP addresses and/or phone number only)"),
    "document": _("The signed legal document (PDF, attachLegalDocument)"),
}


KIND_LABELS = {
    RequestKind.DATA_DISCLOSURE: _("Data disclosure"),
    RequestKind.EMERGENCY_DISCLOSURE: _("Emergency disclosure"),
    RequestKind.PRESERVATION: _("Preservation"),
    RequestKind.CONTENT_REMOVAL: _("Content removal"),
    RequestKind.MODERATION_NOTICE: _("Moderation notice"),
}
CATEGORY_LABELS = {
    RequestCategory.TERRORISM: _("Terrorism"),
    RequestCategory.CHILD_SAFETY: _("Child safety"),
    RequestCategory.ILLEGAL_GOODS: _("Illegal goods"),
    RequestCategory.FRAUD: _("Fraud"),
    RequestCategory.VIOLENCE: _("Violence"),
    RequestCategory.OTHER: _("Other"),
}


class GuideForm(forms.Form):
    """What the visitor wants to send, and from where."""

    kind = forms.ChoiceField(choices=list(KIND_LABELS.items()), label=_("What do you need?"))
    category = forms.ChoiceField(
        choices=list(CATEGORY_LABELS.items()), label=_("What is it about?")
    )
    # The choices are the ISO 3166-1 codes of liaison.instruments: the field's own choice check
    # is the country check (a callable, so the list is built when a form is, not at import).
    country = forms.ChoiceField(choices=instruments.country_choices, label=_("Your country"))
    instrument = forms.ChoiceField(
        choices=[("", _("Infer it from the above")), *LegalInstrument.choices],
        required=False,
        label=_("Legal instrument (optional)"),
    )


@require_safe
def routing_guide_page(request: HttpRequest) -> HttpResponse:
    """The public routing guide: pick kind, category and country; see desk, deadline, needs."""
    answer = None
    form = GuideForm(request.GET or None)
    if form.is_valid():
        try:
            routing = selectors.routing_guide_get(
                kind=form.cleaned_data["kind"],
                category=form.cleaned_data["category"],
                jurisdiction=form.cleaned_data["country"],
                instrument=form.cleaned_data["instrument"] or None,
            )
        except ValueError as error:
            form.add_error("instrument", str(error))
    if form.is_valid():
        answer = {
            "routing": routing,
            "deadline": humanize_duration(timedelta(seconds=routing.deadline_seconds)),
            "fields": [FIELD_LABELS.get(f, f) for f in routing.required_fields],
            "kind_label": KIND_LABELS[RequestKind(form.cleaned_data["kind"])],
            "category_label": CATEGORY_LABELS[RequestCategory(form.cleaned_data["category"])],
            "country": form.cleaned_data["country"],
            "instrument_label": LegalInstrument(routing.instrument).label,
            "retention": humanize_duration(timedelta(seconds=routing.retention_seconds))
            if routing.retention_seconds
            else (f"{routing.retention_months} months" if routing.retention_months else ""),
            "extension": humanize_duration(timedelta(seconds=routing.extension_seconds))
            if routing.extension_seconds
            else "",
        }
    return render(
        request,
        "switchboard/guide.html",
        {"form": form, "answer": answer, "instruments": _instrument_table()},
    )


def _instrument_table() -> list[dict[str, str]]:
    """Every instrument with its clock, document and retention, for the page's reference table."""
    rows = []
    for code, rule in instruments.LEGAL_INSTRUMENTS.items():
        retention = ""
        if rule.retention is not None:
            retention = humanize_duration(rule.retention)
        elif rule.retention_months:
            retention = f"{rule.retention_months} months"
        if retention and rule.extension is not None:
            retention += f", once + {humanize_duration(rule.extension)}"
        rows.append(
            {
                "code": code,
                "label": rule.label,
                "kinds": ", ".join(sorted(rule.kinds)),
                "clock": humanize_duration(rule.clock) if rule.clock else "policy clock",
                "clock_source": rule.clock_source,
                "document": "required" if rule.document_required else "not required",
                "retention": retention,
            }
        )
    return rows
