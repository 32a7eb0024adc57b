"""The case tool in the staff admin: the queue (the case list), the case page (a ticket with its
request, review and hotline conversation, and one button per action), the confirmation page of
irreversible actions, and documents opened inline (each read audited). Views stay thin: reads
from casework.selectors, writes through the services that casework.actions names."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from csp.constants import SELF
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from casework import selectors
from casework.actions import CASE_ACTIONS, action_form, available_actions
from casework.models import Case
from core.actors import internal_label, staff_actor
from core.admin_times import moment_display
from core.durations import humanize_duration
from liaison import documents
from switchboard import tickets
from switchboard.admin import OpenByDefaultStateFilter, OverdueFilter
from switchboard.models import Ticket


class ScopeFilter(admin.SimpleListFilter):
    """Whose cases: my team's (the default for a member of a team), assigned to me, or all."""

    title = "queue"
    parameter_name = "scope"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("team", "My team"), ("mine", "Assigned to me"), ("all", "All teams")]

    def default(self, request: HttpRequest) -> str:
        return "team" if selectors.user_has_team(user=request.user) else "all"

    def value(self) -> str:
        return super().value() or self._default

    def __init__(self, request: HttpRequest, params: Any, model: Any, model_admin: Any) -> None:
        self._default = self.default(request)
        super().__init__(request, params, model, model_admin)

    def choices(self, changelist: Any) -> Any:
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
        scope, user = self.value(), cast(Any, request.user)
        if scope == "mine":
            return queryset.filter(assignee_id=user.pk)
        if scope == "team":
            return queryset.filter(team__memberships__user_id=user.pk)
        return queryset


class DueFilter(admin.SimpleListFilter):
    """The dashboard's windows: due within the hour (clock running), breached today (UTC)."""

    title = "due"
    parameter_name = "due"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("hour", "Within the hour"), ("breached_today", "Breached today")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
        now = timezone.now()
        if self.value() == "hour":
            return queryset.exclude(state=Ticket.State.RESOLVED).filter(
                due_at__gt=now, due_at__lte=now + timedelta(hours=1), paused_at__isnull=True
            )
        if self.value() == "breached_today":
            return queryset.filter(breached_at__gte=selectors.start_of_day(now))
        return queryset


class HeldFilter(admin.SimpleListFilter):
    """Requests held for verification at intake: no data leaves them before the callback."""

    title = "verification"
    parameter_name = "held"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Held for verification")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
        if self.value() == "yes":
            return queryset.filter(selectors.HELD_FOR_VERIFICATION)
        return queryset


SCOPE_TITLES = {
    "team": "Queue: my team",
    "mine": "Queue: assigned to me",
    "all": "Queue: all teams",
}


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """The queue of cases and the case page."""

    list_display = [
        "case", "organization", "kind", "category", "desk", "due", "time_left", "assignee_shown",
        "flags",
    ]  # fmt: skip
    list_display_links = None
    list_filter = [
        ScopeFilter, OpenByDefaultStateFilter, DueFilter, OverdueFilter, HeldFilter, "team",
    ]  # fmt: skip
    list_per_page = 50
    show_full_result_count = False  # one COUNT less on every filtered page of a long queue
    ordering = ["-urgent", "due_at", "id"]  # urgent first, then by deadline
    search_fields = ["legal_request__reference", "legal_request__organization__name"]
    actions = ["acknowledge_selected", "assign_selected_to_me"]
    change_list_template = "admin/casework/case/change_list.html"

    # Permissions: a view of tickets and requests; every write is an action (a service).
    def has_module_permission(self, request: HttpRequest) -> bool:
        return selectors.can_view_cases(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return selectors.can_view_cases(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_work_permission(self, request: HttpRequest) -> bool:
        return tickets.permissions.can_acknowledge_ticket(staff_actor(request.user))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Ticket]:
        # The scope filter narrows it; ordering: urgent first, then by deadline.
        return selectors.case_queue(user=request.user, scope="all")

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        self._now = timezone.now()
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context is not None and "cl" in context:
            # The heading says whose queue this is (admin's own is "Select case to view").
            specs = context["cl"].filter_specs
            scope = next((s.value() for s in specs if isinstance(s, ScopeFilter)), "all")
            context["title"] = SCOPE_TITLES.get(scope, SCOPE_TITLES["all"])
        return response

    # Columns (fit 1,366 px: short texts, the full ones as titles).
    @admin.display(description="Case", ordering="legal_request__reference")
    def case(self, ticket: Ticket) -> str:
        url = reverse("admin:casework_case_change", args=[ticket.pk])
        return format_html('<a href="{}">{}</a>', url, ticket.legal_request.reference)

    @admin.display(description="Organization", ordering="legal_request__organization__name")
    def organization(self, ticket: Ticket) -> str:
        return ticket.legal_request.organization.name

    @admin.display(description="Kind", ordering="legal_request__kind")
    def kind(self, ticket: Ticket) -> str:
        return ticket.legal_request.get_kind_display()

    @admin.display(description="Category")
    def category(self, ticket: Ticket) -> str:
        return ticket.legal_request.get_category_display()

    @admin.display(description="Desk", ordering="team__name")
    def desk(self, ticket: Ticket) -> str:
        # The team as staff know it; the public desk name (what the authority sees) as title.
        return format_html(
            '<span title="Public desk: {}">{}</span>', ticket.team.desk_name, ticket.team.name
        )

    @admin.display(description="Due", ordering="due_at")
    def due(self, ticket: Ticket) -> str:
        # The zone of the request being rendered: a ModelAdmin serves every staff member at once.
        return moment_display(ticket.due_at)

    @admin.display(description="Time left", ordering="due_at")
    def time_left(self, ticket: Ticket) -> str:
        return time_left_html(ticket, getattr(self, "_now", None) or timezone.now())

    @admin.display(description="Assignee", ordering="assignee__email")
    def assignee_shown(self, ticket: Ticket) -> str:
        return internal_label(ticket.assignee) if ticket.assignee is not None else "—"

    @admin.display(description="Flags")
    def flags(self, ticket: Ticket) -> str:
        shown = [
            (flag, text)
            for flag, text, on in (
                ("urgent", f"P{ticket.priority} urgent", ticket.urgent),
                ("open", "unacknowledged", ticket.state == Ticket.State.OPEN),
                ("paused", "paused", ticket.paused_at is not None),
                ("escalated", f"escalated {ticket.escalation_step}", ticket.escalation_step > 0),
                ("breached", "breached", ticket.breached_at is not None),
                ("routing", "routing error", bool(ticket.routing_error)),
                ("held", "held for verification", _holding(ticket)),
            )
            if on
        ]
        return format_html_join(" ", '<span class="case-flag case-flag-{}">{}</span>', shown)

    # Bulk actions: what makes sense for many tickets at once.
    @admin.action(description="Acknowledge", permissions=["work"])
    def acknowledge_selected(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> None:
        actor = staff_actor(request.user)
        done = 0
        for ticket in queryset:
            tickets.ticket_acknowledge(ticket=ticket, actor=actor)
            done += 1
        self.message_user(request, f"Acknowledged {done} ticket(s).")

    @admin.action(description="Assign to me", permissions=["work"])
    def assign_selected_to_me(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> None:
        actor = staff_actor(request.user)
        done, failed = 0, []
        for ticket in queryset:
            try:
                tickets.ticket_assign(ticket=ticket, actor=actor, assignee=request.user)
                done += 1
            except ValidationError as error:
                failed.append(f"{ticket.legal_request.reference}: {'; '.join(error.messages)}")
        if done:
            self.message_user(request, f"Assigned {done} ticket(s) to you.")
        for message in failed:
            self.message_user(request, message, messages.ERROR)

    # The case page and its actions.
    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view
        return [
            path(
                "<int:ticket_id>/act/<str:action>/",
                view(self.action_view),
                name="casework_case_action",
            ),
            path(
                "<int:ticket_id>/documents/<uuid:document_id>/",
                view(self.document_view),
                name="casework_case_document",
            ),
            *super().get_urls(),
        ]

    def _case_or_404(self, request: HttpRequest, ticket_id: object) -> selectors.CaseView:
        if not self.has_view_permission(request):
            raise PermissionDenied
        case = selectors.case_get(ticket_id=ticket_id)
        if case is None:
            raise Http404("No such case.")
        return case

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        case = self._case_or_404(request, object_id)
        return self._render_case(request, case, forms={})

    def _render_case(
        self, request: HttpRequest, case: selectors.CaseView, forms: dict[str, Any]
    ) -> TemplateResponse:
        actor = staff_actor(request.user)
        now = timezone.now()
        offered = available_actions(case.ticket, actor)
        buttons: list[dict[str, Any]] = []
        for name in offered:
            action = CASE_ACTIONS[name]
            form = forms.get(name) or action_form(action, case.colleagues)()
            needs_input = any(f.required for f in form.fields.values()) or name == "analysis"
            buttons.append({"action": action, "form": form, "needs_input": needs_input})
        document_id = request.GET.get("document", "")
        opened = next((d for d in case.documents if str(d.pk) == document_id), None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Case {case.legal_request.reference}",
            "case": case,
            "ticket": case.ticket,
            "legal_request": case.legal_request,
            "organization": case.organization,
            "time_left": time_left_html(case.ticket, now),
            "now": now,
            "ticket_buttons": [b for b in buttons if b["action"].group == "ticket"],
            "review_buttons": [b for b in buttons if b["action"].group == "review"],
            "reply_button": next((b for b in buttons if b["action"].group == "hotline"), None),
            "opened_document": opened,
        }
        return TemplateResponse(request, "admin/casework/case/case.html", context)

    def action_view(self, request: HttpRequest, ticket_id: int, action: str) -> HttpResponse:
        """POST only: validate the action's form; an irreversible action first shows its
        confirmation page (the same data, and "confirmed"); then call the service."""
        case = self._case_or_404(request, ticket_id)
        case_url = reverse("admin:casework_case_change", args=[case.ticket.pk])
        if request.method != "POST":
            return HttpResponseRedirect(case_url)
        actor = staff_actor(request.user)
        if action not in CASE_ACTIONS or action not in available_actions(case.ticket, actor):
            # Not offered on the page (lifecycle or permissions); the service would refuse too.
            self.message_user(
                request, "That action is not available on this case now.", messages.ERROR
            )
            return HttpResponseRedirect(case_url)
        case_action = CASE_ACTIONS[action]
        form = action_form(case_action, case.colleagues)(request.POST)
        if not form.is_valid():
            return self._render_case(request, case, forms={action: form})
        if case_action.confirm and request.POST.get("confirmed") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": f"{case_action.title} — {case.legal_request.reference}",
                "case": case,
                "action": case_action,
                "form": form,
                "answers": _answers(form),
                "case_url": case_url,
            }
            return TemplateResponse(request, "admin/casework/case/confirm.html", context)
        try:
            case_action.run(actor, case.ticket, form.cleaned_data)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    target = field if field in form.fields else None
                    for problem in errors:
                        form.add_error(target, problem)
            else:
                for text in error.messages:
                    form.add_error(None, text)
            self.message_user(
                request, f"{case_action.title}: {'; '.join(error.messages)}", messages.ERROR
            )
            return self._render_case(
                request, selectors.case_get(ticket_id=ticket_id) or case, forms={action: form}
            )
        self.message_user(request, f"{case_action.title}: done.", messages.SUCCESS)
        anchor = "#conversation" if action == "reply" else ""
        return HttpResponseRedirect(case_url + anchor)

    def document_view(
        self, request: HttpRequest, ticket_id: int, document_id: str
    ) -> HttpResponseBase:
        """The document inline (shown in the case page's frame); every read is audited."""
        case = self._case_or_404(request, ticket_id)
        if not any(str(document.pk) == str(document_id) for document in case.documents):
            raise Http404("No such document.")
        return _document_inline(request, document_id)


def _document_inline(request: HttpRequest, document_id: str) -> HttpResponseBase:
    opened = documents.legal_document_open(actor=staff_actor(request.user), document_id=document_id)
    if opened is None:
        raise Http404("No such document.")
    document, handle = opened
    response = FileResponse(
        handle, as_attachment=False, filename=document.filename, content_type="application/pdf"
    )
    response["Cache-Control"] = "no-store"  # every read comes here, and is audited
    response["X-Content-Type-Options"] = "nosniff"
    # Framed by the case page only (same origin); every other page keeps DENY / 'none'.
    response["X-Frame-Options"] = "SAMEORIGIN"
    response._csp_replace = {"frame-ancestors": [SELF]}  # type: ignore[attr-defined]
    return response


def _answers(form: Any) -> list[tuple[str, str]]:
    """What the user filled in, as the confirmation page repeats it (labels, not codes)."""
    shown = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if field.widget.is_hidden or value in (None, "", False):
            continue
        if value is True:
            text = "yes"
        elif hasattr(field, "label_from_instance") and not isinstance(value, str):
            text = field.label_from_instance(value)
        elif getattr(field, "choices", None):
            text = str(dict(field.choices).get(value, value))
        else:
            text = str(value)
        shown.append((str(field.label or name), text))
    return shown


def time_left_html(ticket: Ticket, now: Any) -> str:
    """The countdown of a ticket: resolved, paused (with what is left), overdue, or left."""
    if ticket.state == Ticket.State.RESOLVED:
        return format_html('<span class="case-left case-left-done">{}</span>', "resolved")
    if ticket.paused_at is not None:
        left = humanize_duration(ticket.due_at - ticket.paused_at, compact=True)
        return format_html('<span class="case-left case-left-paused">paused, {} left</span>', left)
    left_delta = ticket.due_at - now
    shown = humanize_duration(left_delta, compact=True)
    if left_delta <= timedelta(0):
        return format_html('<strong class="case-left case-left-overdue">overdue {}</strong>', shown)
    css = "case-left-soon" if left_delta < timedelta(hours=1) else "case-left-ok"
    return format_html('<span class="case-left {}">{}</span>', css, shown)


def _holding(ticket: Ticket) -> bool:
    """Is the ticket's request held for verification (its assessment joined by the queue)?"""
    assessment = getattr(ticket.legal_request, "intake_assessment", None)
    return assessment is not None and assessment.holding
