"""Staff admin of the switchboard: policy (teams, rules, clocks, chains), team queues of tickets,
notifications (dead letters are the outbox's: core/outbox/admin.py). Actions call services."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from core.actors import staff_actor
from core.admin_times import moment_display, moment_parts
from core.durations import humanize_duration
from liaison import instruments
from liaison.intake_signals import assessment_summary
from liaison.models import RequestCategory, RequestKind
from switchboard import permissions, policy, selectors, tickets
from switchboard.models import (
    EscalationChain,
    EscalationStep,
    LegalClock,
    Notification,
    RoutingRule,
    Team,
    TeamMember,
    Ticket,
    TicketQuerySet,
)

# Policy ------------------------------------------------------------------------------------------


def _may_edit_policy(request: HttpRequest) -> bool:
    return permissions.can_edit_policy(staff_actor(request.user))


class PolicyInlineMixin:
    """An inline of a policy model: editable only by those who may edit the policy."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_edit_policy(request) and super().has_add_permission(request, obj)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_edit_policy(request) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_edit_policy(request) and super().has_delete_permission(request, obj)  # type: ignore[misc]


class PolicyModelAdmin(admin.ModelAdmin):
    """A policy model (team, rule, clock, chain): staff who may not edit the policy (the
    policy_admin group) see it read-only, and every write goes through the policy services,
    which check the same permission."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _may_edit_policy(request) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_edit_policy(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_edit_policy(request) and super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        policy.policy_record_save(actor=staff_actor(request.user), record=obj)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        policy.policy_record_delete(actor=staff_actor(request.user), record=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for record in queryset:
            policy.policy_record_delete(actor=staff_actor(request.user), record=record)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # The inline rows (members, steps): saved through the service one by one.
        actor = staff_actor(request.user)
        for record in formset.save(commit=False):
            policy.policy_record_save(actor=actor, record=record)
        for record in formset.deleted_objects:
            policy.policy_record_delete(actor=actor, record=record)
        formset.save_m2m()


class TeamMemberInline(PolicyInlineMixin, admin.TabularInline):
    model = TeamMember
    extra = 1
    autocomplete_fields = ["user"]
    fields = ["position", "user", "is_lead"]
    ordering = ["position", "id"]


@admin.register(Team)
class TeamAdmin(PolicyModelAdmin):
    list_display = ["name", "desk_name", "email", "escalation_chain", "is_fallback", "queue_link"]
    search_fields = ["name", "desk_name"]
    inlines = [TeamMemberInline]
    actions = ["make_fallback"]

    @admin.display(description="Queue")
    def queue_link(self, team: Team) -> str:
        url = reverse("admin:switchboard_ticket_changelist") + f"?team__id__exact={team.pk}"
        return format_html('<a href="{}">open tickets</a>', url)

    @admin.action(description="Make fallback team", permissions=["change"])
    def make_fallback(self, request: HttpRequest, queryset: QuerySet[Team]) -> None:
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one team.", messages.ERROR)
            return
        team = policy.team_make_fallback(actor=staff_actor(request.user), team=queryset.get())
        self.message_user(request, f"{team.name} is now the fallback team.")

    def has_delete_permission(self, request: HttpRequest, obj: Team | None = None) -> bool:
        if obj is not None and obj.is_fallback:
            return False  # a fallback team always exists
        return super().has_delete_permission(request, obj)


class RoutingRuleForm(forms.ModelForm):
    """Kinds and categories as check boxes; countries as a comma-separated list of codes."""

    kinds = forms.MultipleChoiceField(
        choices=RequestKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: any kind.",
    )
    categories = forms.MultipleChoiceField(
        choices=RequestCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: any category.",
    )
    countries = forms.CharField(
        required=False,
        help_text="ISO codes separated by commas or spaces, e.g. DE, FR. With a region too, "
        "a request from either matches. Neither: any country.",
    )

    class Meta:
        model = RoutingRule
        fields = [
            "position", "name", "team", "kinds", "categories", "countries", "region",
            "urgency", "escalation_chain", "is_active",
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["countries"] = ", ".join(self.instance.countries)

    def clean_countries(self) -> list[str]:
        """The codes as written, checked one by one, as the rule stores them: upper case, once."""
        raw = self.cleaned_data.get("countries") or ""
        codes: list[str] = []
        errors: list[ValidationError] = []
        for written in raw.replace(",", " ").split():
            try:
                codes.append(instruments.validate_country(written, field="countries"))
            except ValidationError as error:
                errors.extend(error.error_dict["countries"])
        if errors:
            raise ValidationError(errors)
        return list(dict.fromkeys(codes))


class PreviewForm(forms.Form):
    """The question of the preview: a kind, a category and a country."""

    kind = forms.ChoiceField(choices=RequestKind.choices)
    category = forms.ChoiceField(choices=RequestCategory.choices)
    country = forms.CharField(max_length=2, help_text="ISO code, e.g. DE")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "country" in cleaned:
            cleaned["country"] = instruments.validate_country(cleaned["country"], field="country")
        return cleaned


@admin.register(RoutingRule)
class RoutingRuleAdmin(PolicyModelAdmin):
    form = RoutingRuleForm
    list_display = [
        "position", "name", "team", "kinds_shown", "categories_shown", "where", "urgency",
        "is_active", "error_count",
    ]  # fmt: skip
    list_display_links = ["name"]
    list_editable = ["position", "is_active"]
    list_filter = ["team", "is_active", "urgency", "region"]
    ordering = ["position", "id"]
    readonly_fields = ["last_error", "last_error_at", "error_count"]
    change_list_template = "admin/switchboard/routingrule/change_list.html"

    @admin.display(description="Kinds")
    def kinds_shown(self, rule: RoutingRule) -> str:
        return ", ".join(rule.kinds) or "any"

    @admin.display(description="Categories")
    def categories_shown(self, rule: RoutingRule) -> str:
        return ", ".join(rule.categories) or "any"

    @admin.display(description="Jurisdiction")
    def where(self, rule: RoutingRule) -> str:
        parts = [rule.region] if rule.region else []
        parts += rule.countries
        return " + ".join(parts) or "anywhere"

    def save_model(self, request: HttpRequest, obj: RoutingRule, form: Any, change: bool) -> None:
        policy.routing_rule_save(actor=staff_actor(request.user), rule=obj)

    def get_urls(self) -> list:
        preview = self.admin_site.admin_view(self.preview_view)
        return [
            path("preview/", preview, name="switchboard_routingrule_preview"),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """“Which team would handle this?” — the live decision for a kind, category, country."""
        form = PreviewForm(request.GET or None)
        decision = None
        if form.is_valid():
            decision = selectors.routing_decide(
                kind=form.cleaned_data["kind"],
                category=form.cleaned_data["category"],
                jurisdiction=form.cleaned_data["country"],
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Which team would handle this?",
            "form": form,
            "decision": decision,
        }
        return TemplateResponse(request, "admin/switchboard/routingrule/preview.html", context)


@admin.register(LegalClock)
class LegalClockAdmin(PolicyModelAdmin):
    list_display = ["kind", "category_shown", "duration", "note"]
    list_filter = ["kind"]
    ordering = ["kind", "category"]

    @admin.display(description="Category")
    def category_shown(self, clock: LegalClock) -> str:
        return clock.category or "(any other)"


class EscalationStepInline(PolicyInlineMixin, admin.TabularInline):
    model = EscalationStep
    extra = 1
    fields = ["position", "wait_minutes", "action"]
    ordering = ["position"]


@admin.register(EscalationChain)
class EscalationChainAdmin(PolicyModelAdmin):
    list_display = ["name", "warn_before", "steps_shown"]
    inlines = [EscalationStepInline]

    @admin.display(description="Steps")
    def steps_shown(self, chain: EscalationChain) -> str:
        return " → ".join(
            f"+{s.wait_minutes} min {s.get_action_display().lower()}" for s in chain.steps.all()
        )


# Queues ------------------------------------------------------------------------------------------


class OverdueFilter(admin.SimpleListFilter):
    title = "deadline"
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Overdue"), ("no", "Not overdue")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
        queue = cast(TicketQuerySet, queryset)  # the changelist's, from Ticket.objects
        if self.value() == "yes":
            return queue.overdue()
        if self.value() == "no":
            return queue.exclude(pk__in=queue.overdue().values("pk"))
        return queryset


class OpenByDefaultStateFilter(admin.SimpleListFilter):
    """State, showing unresolved tickets unless another choice is made."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("unresolved", "Unresolved"), *Ticket.State.choices, ("all", "All")]

    def choices(self, changelist: Any) -> Any:
        value = self.value() or "unresolved"
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
        value = self.value() or "unresolved"
        if value == "unresolved":
            return queryset.exclude(state=Ticket.State.RESOLVED)
        if value in Ticket.State.values:
            return queryset.filter(state=value)
        return queryset


def _table(headers: list[str], rows: list[tuple]) -> str:
    head = format_html_join("", "<th>{}</th>", ((h,) for h in headers))
    body = format_html_join(
        "", "<tr>{}</tr>", ((format_html_join("", "<td>{}</td>", ((c,) for c in r)),) for r in rows)
    )
    return format_html(
        '<table class="hotline-table"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>',
        head,
        body,
    )


def _moment_cell(value: datetime) -> str:
    """A moment in a narrow table cell: UTC, and the staff member's zone on a second line."""
    utc, local = moment_parts(value)
    line = '<span style="white-space:nowrap">{}</span>'
    if local is None:
        return format_html(line, utc)
    return format_html(f"{line}<br>{line}", utc, f"({local})")


class NotificationInline(admin.TabularInline):
    model = Notification
    extra = 0
    can_delete = False
    fields = ("kind", "step", "recipients", "created_at", "sent_at", "attempts", "last_error")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = [
        "reference", "kind", "category", "jurisdiction", "team", "priority", "state",
        "due_at", "time_left", "assignee", "escalation_step", "verification",
    ]  # fmt: skip
    list_filter = [
        "team", OpenByDefaultStateFilter, OverdueFilter, "legal_request__kind", "priority",
    ]  # fmt: skip
    list_select_related = ["team", "legal_request__intake_assessment", "assignee"]
    ordering = ["due_at", "id"]
    search_fields = ["legal_request__reference", "legal_request__organization__name"]
    actions = ["acknowledge", "assign_to_me", "escalate", "resolve"]
    inlines = [NotificationInline]
    fieldsets = [
        ("Ticket", {"fields": [
            "team", "state", "priority", "time_left", "due_at", "clock", "opened_at", "assignee",
            "acknowledged_at", "acknowledged_by", "resolved_at", "resolved_by",
        ]}),
        ("Request", {"fields": ["request_details", "targets_table", "timeline_table"]}),
        ("Routing & escalation", {"fields": [
            "routing_rule", "routing_error", "escalation_snapshot", "escalation_step",
            "next_escalation_at", "warn_at", "warned_at", "breached_at",
        ]}),
    ]  # fmt: skip

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [str(f) for fieldset in self.fieldsets or [] for f in fieldset[1]["fields"]]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tickets are opened by the switchboard

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Reference", ordering="legal_request__reference")
    def reference(self, ticket: Ticket) -> str:
        return ticket.legal_request.reference

    @admin.display(description="Kind", ordering="legal_request__kind")
    def kind(self, ticket: Ticket) -> str:
        return ticket.legal_request.get_kind_display()

    @admin.display(description="Category")
    def category(self, ticket: Ticket) -> str:
        return ticket.legal_request.get_category_display()

    @admin.display(description="Country")
    def jurisdiction(self, ticket: Ticket) -> str:
        return ticket.legal_request.jurisdiction

    @admin.display(description="Intake signals")
    def verification(self, ticket: Ticket) -> str:
        # The request's fraud signals: a held request is worked as usual, but releases no data
        # before the verification callback.
        return assessment_summary(getattr(ticket.legal_request, "intake_assessment", None))

    @admin.display(description="Time left", ordering="due_at")
    def time_left(self, ticket: Ticket) -> str:
        if ticket.state == Ticket.State.RESOLVED:
            return "resolved"
        if ticket.paused_at is not None:
            # Waiting for the authority's answer: the clock stands still, nothing is overdue.
            left = selectors.ticket_time_left(ticket=ticket, now=ticket.paused_at)
            return format_html(
                '<span class="ticket-paused">paused since {} ({} left)</span>',
                moment_display(ticket.paused_at),
                humanize_duration(left, compact=True),
            )
        left = selectors.ticket_time_left(ticket=ticket, now=timezone.now())
        shown = humanize_duration(left, compact=True)
        if left <= timedelta(0):
            return format_html('<strong style="color:#ba2121">overdue {}</strong>', shown)
        style = "color:#b35c00;font-weight:600" if left < timedelta(hours=1) else ""
        return format_html('<span style="{}">{}</span>', style, shown)

    @admin.display(description="Request")
    def request_details(self, ticket: Ticket) -> str:
        request = ticket.legal_request
        url = reverse("admin:liaison_legalrequest_change", args=[request.pk])
        return format_html(
            '<a href="{}">{}</a> · {} · {} · {}<br>From {} · legal basis: {}<br>'
            "Status {} · submitted {}<br><em>{}</em>",
            url, request.reference, request.get_kind_display(), request.get_category_display(),
            request.jurisdiction, request.organization.name, request.legal_basis,
            # Formatted here: format_html escapes each argument to a string first, so a format
            # spec such as {:%Y-%m-%d} would raise and admin would show "-" for the whole field.
            request.get_status_display(), moment_display(request.submitted_at), request.summary,
        )  # fmt: skip

    @admin.display(description="Targets")
    def targets_table(self, ticket: Ticket) -> str:
        rows = [(t.kind, t.value) for t in ticket.legal_request.targets.all()]
        return _table(["Kind", "Value"], rows)

    @admin.display(description="Timeline")
    def timeline_table(self, ticket: Ticket) -> str:
        # The time on two lines (UTC, then the staff member's zone) and the message wrapped,
        # so the table fits the page at 1,366 px.
        rows = [
            (_moment_cell(e.at),
             e.get_event_display(), e.actor_label,
             format_html('<div style="max-width:15rem">{}</div>', e.message),
             "public" if e.public else "internal")
            for e in ticket.legal_request.timeline.order_by("at", "id")
        ]  # fmt: skip
        return _table(["At", "Event", "By", "Message", "Shown"], rows)

    def has_work_permission(self, request: HttpRequest) -> bool:
        """The ticket actions are offered to those who may work tickets (the services check
        the same predicate)."""
        return permissions.can_acknowledge_ticket(staff_actor(request.user))

    def _apply(
        self, request: HttpRequest, queryset: QuerySet[Ticket], verb: str, call: Any
    ) -> None:
        done, failed = 0, []
        for ticket in queryset:
            try:
                call(ticket)
                done += 1
            except ValidationError as error:
                failed.append(f"ticket {ticket.pk}: {'; '.join(error.messages)}")
        if done:
            self.message_user(request, f"{verb} {done} ticket(s).")
        for message in failed:
            self.message_user(request, message, messages.ERROR)

    @admin.action(description="Acknowledge", permissions=["work"])
    def acknowledge(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> None:
        actor = staff_actor(request.user)
        self._apply(
            request, queryset, "Acknowledged",
            lambda t: tickets.ticket_acknowledge(ticket=t, actor=actor),
        )  # fmt: skip

    @admin.action(description="Assign to me", permissions=["work"])
    def assign_to_me(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> None:
        actor = staff_actor(request.user)
        self._apply(
            request, queryset, "Assigned",
            lambda t: tickets.ticket_assign(ticket=t, actor=actor, assignee=request.user),
        )  # fmt: skip

    @admin.action(description="Escalate now", permissions=["work"])
    def escalate(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> None:
        actor = staff_actor(request.user)
        self._apply(
            request, queryset, "Escalated",
            lambda t: tickets.ticket_escalate(ticket=t, actor=actor),
        )  # fmt: skip

    @admin.action(description="Resolve", permissions=["work"])
    def resolve(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> None:
        actor = staff_actor(request.user)
        self._apply(
            request, queryset, "Resolved",
            lambda t: tickets.ticket_resolve(ticket=t, actor=actor),
        )  # fmt: skip


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["ticket", "kind", "step", "created_at", "sent_at", "attempts", "gave_up_at"]
    list_filter = ["kind"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
