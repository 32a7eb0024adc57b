"""Staff admin of legal requests: the request, read-only, with its review panel (checklist,
approvals, callbacks, documents, timeline, audit trail) and one button per review step."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from core.actors import staff_actor
from liaison import deconfliction, documents, intake_signals, user_notice
from liaison.admin.base import ReadOnlyInline
from liaison.admin.review_steps import REVIEW_STEPS, AnalysisForm, available_steps
from liaison.models import (
    Approval,
    AuditEntry,
    CallbackVerification,
    DisclosurePackage,
    IntakeAssessment,
    LegalAnalysis,
    LegalDocument,
    LegalRequest,
    NoDataDecision,
    NonDisclosureOrder,
    Target,
    TargetPreflight,
    TimelineEntry,
    UserNotice,
)
from liaison.review_policy import REVIEW_POLICY_VERSION, current_policy
from liaison.views import document_response


class TargetInline(ReadOnlyInline):
    model = Target
    fields = ("kind", "value")


class TimelineInline(ReadOnlyInline):
    model = TimelineEntry
    fields = ("at", "event", "status", "actor_label", "message", "public")


class ReviewInline(ReadOnlyInline):
    show_change_link = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_staff)


class ApprovalInline(ReviewInline):
    model = Approval
    fields = ("approver", "approved_at", "policy_version", "note")
    readonly_fields = fields


class CallbackInline(ReviewInline):
    model = CallbackVerification
    fields = ("called_at", "phone_called", "officer_name", "called_by", "notes")
    readonly_fields = fields
    verbose_name = "emergency callback"


class DocumentInline(ReviewInline):
    model = LegalDocument
    fields = ("filename", "size", "sha256", "uploaded_at", "download")
    readonly_fields = fields

    @admin.display(description="File (download is audited)")
    def download(self, document: LegalDocument) -> str:
        url = reverse(
            "admin:liaison_legalrequest_document",
            args=[document.legal_request_id, document.pk],
        )
        return format_html('<a href="{}">download</a>', url)


def _checklist(analysis: LegalAnalysis | None) -> list[tuple[str, bool, str]]:
    """The analysis as the review panel shows it: (what the check asserts, confirmed, the
    moderation reference next to the rule-breach check)."""
    if analysis is None:
        return []
    policy = current_policy()
    return [
        (
            policy.label(name),
            bool(getattr(analysis, name)),
            analysis.moderation_reference if name == "rules_broken" else "",
        )
        for name, _ in policy.checks
    ]


class HeldForVerificationFilter(admin.SimpleListFilter):
    """Requests held for verification at intake (no data leaves them before the callback)."""

    title = "verification"
    parameter_name = "held"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Held for verification"), ("verified", "Verified by callback")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(
                intake_assessment__held=True, intake_assessment__verified_at__isnull=True
            )
        if self.value() == "verified":
            return queryset.filter(
                intake_assessment__held=True, intake_assessment__verified_at__isnull=False
            )
        return queryset


@admin.register(LegalRequest)
class LegalRequestAdmin(admin.ModelAdmin):
    """The request, read-only, with its review: checklist, approvals, callbacks, documents,
    timeline and audit trail, and one button per review step."""

    list_display = (
        "reference",
        "organization",
        "kind",
        "category",
        "status",
        "jurisdiction",
        "submitted_at",
        "due_at",
        "handling_desk",
        "verification",
    )
    list_filter = ("status", HeldForVerificationFilter, "kind", "category", "jurisdiction")
    search_fields = ("reference", "organization__name", "targets__value")
    date_hierarchy = "submitted_at"
    list_select_related = ("organization", "intake_assessment")
    inlines = [TargetInline, DocumentInline, ApprovalInline, CallbackInline, TimelineInline]
    change_form_template = "admin/liaison/legalrequest/change_form.html"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

    @admin.display(description="Intake signals")
    def verification(self, legal_request: LegalRequest) -> str:
        return intake_signals.assessment_summary(getattr(legal_request, "intake_assessment", None))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # every change goes through a review step (a service), never a raw save

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/review/<str:step>/",
                view(self.review_step_view),
                name="liaison_legalrequest_review",
            ),
            path(
                "<path:object_id>/documents/<uuid:document_id>/",
                view(self.document_view),
                name="liaison_legalrequest_document",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        legal_request = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if legal_request is not None:
            analysis = LegalAnalysis.objects.filter(legal_request=legal_request).first()
            assessment = IntakeAssessment.objects.filter(legal_request=legal_request).first()
            policy = current_policy()
            context.update(
                review_steps=[
                    (step, REVIEW_STEPS[step].title)
                    for step in available_steps(legal_request, staff_actor(request.user))
                ],
                analysis=analysis,
                checklist=_checklist(analysis),
                missing_checks=policy.missing_checks(analysis, legal_request.kind),
                approvals_required=policy.approvals_required(legal_request.kind),
                policy_version=REVIEW_POLICY_VERSION,
                package=DisclosurePackage.objects.filter(legal_request=legal_request).first(),
                no_data=NoDataDecision.objects.filter(legal_request=legal_request).first(),
                user_notice_from=user_notice.user_notice_from(legal_request),
                non_disclosure_order=NonDisclosureOrder.objects.filter(
                    legal_request=legal_request
                ).first(),
                user_notice=UserNotice.objects.filter(legal_request=legal_request).first(),
                assessment=assessment,
                signal_rows=[
                    (
                        intake_signals.SIGNAL_LABELS.get(s["code"], s["code"]),
                        s["weight"],
                        s["detail"],
                    )
                    for s in (assessment.signals if assessment else [])
                ],
                preflights=TargetPreflight.objects.filter(legal_request=legal_request),
                overlaps=deconfliction.overlapping_requests(legal_request=legal_request),
                audit_entries=AuditEntry.objects.filter(
                    Q(object_type="LegalRequest", object_id=str(legal_request.pk))
                    | Q(details__legal_request_id=str(legal_request.pk))
                ).order_by("id")[:200],  # append order: unsealed entries too
            )
        return super().change_view(request, object_id, form_url, extra_context=context)

    def _request_or_404(self, request: HttpRequest, object_id: str) -> LegalRequest:
        legal_request = self.get_object(request, object_id)
        if legal_request is None:
            raise Http404("No such legal request.")
        if not request.user.is_staff or not self.has_view_permission(request, legal_request):
            raise PermissionDenied
        return legal_request

    def review_step_view(self, request: HttpRequest, object_id: str, step: str) -> HttpResponse:
        legal_request = self._request_or_404(request, object_id)
        if step not in REVIEW_STEPS:
            raise Http404("No such review step.")
        review_step = REVIEW_STEPS[step]
        actor = staff_actor(request.user)
        if not review_step.permitted(actor):
            # Not offered on the page either; the service would refuse it the same way.
            raise PermissionDenied
        title = review_step.title
        initial: dict[str, Any] = {}
        analysis = LegalAnalysis.objects.filter(legal_request=legal_request).first()
        if step == "analysis" and analysis is not None:
            initial = {name: getattr(analysis, name) for name in AnalysisForm.base_fields}
        form = review_step.form(request.POST if request.method == "POST" else None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                review_step.run(actor, legal_request, form.cleaned_data)
            except ValidationError as error:
                # A field's error goes to its field (e.g. the checklist box that needs a
                # document), the rest above the form.
                for field, field_errors in getattr(error, "error_dict", {None: [error]}).items():
                    target = field if field in form.fields else None
                    for message in ValidationError(field_errors).messages:
                        form.add_error(target, message)
            else:
                self.message_user(request, f"{title}: done.", messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:liaison_legalrequest_change", args=[legal_request.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": f"{title} — {legal_request.reference}",
            "opts": self.model._meta,
            "original": legal_request,
            "form": form,
            "step": step,
            "organization": legal_request.organization,
        }
        return TemplateResponse(request, "admin/liaison/legalrequest/review_step.html", context)

    def document_view(
        self, request: HttpRequest, object_id: str, document_id: str
    ) -> HttpResponseBase:
        legal_request = self._request_or_404(request, object_id)
        document = LegalDocument.objects.filter(pk=document_id, legal_request=legal_request).first()
        if document is None:
            raise Http404("No such document.")
        return document_response(
            documents.legal_document_open(actor=staff_actor(request.user), document_id=document.pk)
        )


@admin.register(UserNotice)
class UserNoticeAdmin(admin.ModelAdmin):
    """The notices owed to users (listed by the user-notice sweep once due): tell the user,
    then record it here."""

    list_display = ("legal_request", "due_from", "listed_at", "notified_at", "notified_by")
    list_filter = (("notified_at", admin.EmptyFieldListFilter),)
    list_select_related = ("legal_request__organization",)
    actions = ["record_notified"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="The user was told (record it)")
    def record_notified(self, request: HttpRequest, queryset: QuerySet[UserNotice]) -> None:
        actor = staff_actor(request.user)
        for notice in queryset:
            try:
                user_notice.user_notice_record(actor=actor, notice=notice)
            except ValidationError as error:
                self.message_user(request, "; ".join(error.messages), messages.ERROR)
            else:
                self.message_user(request, f"{notice}: recorded.", messages.SUCCESS)
