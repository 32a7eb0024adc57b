"""Staff admin of the transparency app: published reports and statements of reasons (read
only), and every trusted flagger's notice statistics."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from core.durations import humanize_duration
from liaison.admin.base import ReadOnlyAdmin
from liaison.models import OrganizationKind
from transparency import selectors
from transparency.models import DailyReport, StatementOfReasons, TrustedFlagger


@admin.register(DailyReport)
class DailyReportAdmin(ReadOnlyAdmin):
    """Published daily reports: immutable (a database trigger refuses edits)."""

    list_display = ("day", "generated_at", "audit_head_seq", "key_id")
    date_hierarchy = "day"
    actions = None


@admin.register(StatementOfReasons)
class StatementOfReasonsAdmin(ReadOnlyAdmin):
    """Statements of reasons and their delivery to the DSA Transparency Database."""

    list_display = ("puid", "state", "created_at", "delivered_at", "attempts", "error")
    list_filter = ("state",)
    search_fields = ("puid",)
    actions = None


class FlaggerPeriodForm(forms.Form):
    """The period of the statistics (UTC days, both inclusive, at most 366)."""

    periodStart = forms.DateField(label="From")
    periodEnd = forms.DateField(label="To")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("periodStart"), cleaned.get("periodEnd")
        if start and end:
            try:
                selectors.period_validate(
                    period_start=start, period_end=end, jurisdiction=None, now=timezone.now()
                )
            except ValidationError as error:
                for field, errors in error.error_dict.items():
                    for item in errors:
                        self.add_error(field, item)
        return cleaned


@admin.register(TrustedFlagger)
class TrustedFlaggerAdmin(ReadOnlyAdmin):
    """Every trusted flagger's notices in a period: sent, actioned, median time to action."""

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).filter(kind=OrganizationKind.NGO)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.now().astimezone(UTC).date()
        form = FlaggerPeriodForm(
            request.GET or {"periodStart": today - timedelta(days=364), "periodEnd": today}
        )
        rows: list[dict[str, Any]] = []
        if form.is_valid():
            for row in selectors.trusted_flaggers_overview(
                period_start=form.cleaned_data["periodStart"],
                period_end=form.cleaned_data["periodEnd"],
            ):
                seconds = row.median_seconds_to_action
                rows.append(
                    {
                        "row": row,
                        "median": "—"
                        if seconds is None
                        else humanize_duration(timedelta(seconds=seconds), compact=True),
                        "share": None if row.sent == 0 else round(100 * row.actioned / row.sent),
                    }
                )
        context = {
            **self.admin_site.each_context(request),
            "title": "Trusted flaggers: notices and time to action",
            "opts": self.model._meta,
            "form": form,
            "rows": rows,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/transparency/trusted_flaggers.html", context)
