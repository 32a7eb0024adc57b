"""Staff views of organizations, tokens, legal requests and their review; actions call services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from core.actors import Actor, staff_actor
from liaison import disclosure, documents, notifications, organizations, review, tokens
from liaison.models import (
    ApiToken,
    Approval,
    AuditEntry,
    CallbackVerification,
    DisclosurePackage,
    LegalAnalysis,
    LegalDocument,
    LegalRequest,
    Membership,
    Organization,
    RejectionReason,
    RequestKind,
    RequestStatus,
    Target,
    TimelineEntry,
    WebhookDelivery,
)
from liaison.review_policy import REVIEW_POLICY_VERSION, current_policy
from liaison.views import document_response


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "role", "is_active", "created_at")
    readonly_fields = ("created_at",)
    raw_id_fields = ("user",)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "country", "verification", "verified_at", "slug")
    list_filter = ("kind", "verification", "country")
    search_fields = ("name", "slug")
    readonly_fields = ("verification", "verified_at", "verified_by", "created_at")
    exclude = ("webhook_secret",)  # shown once, by the rotate action, never on the page
    inlines = [MembershipInline]
    actions = ["verify", "unverify", "rotate_webhook_secret"]

    @admin.action(description="Generate a new webhook secret (shown once)")
    def rotate_webhook_secret(self, request: HttpRequest, queryset: QuerySet[Organization]) -> None:
        for organization in queryset:
            secret = notifications.organization_webhook_secret_rotate(organization=organization)
            self.message_user(
                request,
                f"New webhook secret for {organization.name}: {secret} — give it to the "
                "organization over a secure channel; it is not shown again.",
                messages.WARNING,
            )

    @admin.action(description="Verify the selected organizations (they may submit requests)")
    def verify(self, request: HttpRequest, queryset: QuerySet[Organization]) -> None:
        for organization in queryset:
            organizations.organization_verify(organization=organization, verified_by=request.user)
        self.message_user(
            request, f"{queryset.count()} organization(s) verified.", messages.SUCCESS
        )

    @admin.action(description="Withdraw verification (read-only access)")
    def unverify(self, request: HttpRequest, queryset: QuerySet[Organization]) -> None:
        for organization in queryset:
            organizations.organization_unverify(organization=organization)
        self.message_user(
            request, f"{queryset.count()} organization(s) unverified.", messages.WARNING
        )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "prefix",
        "membership",
        "label",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    list_filter = ("revoked_at",)
    search_fields = ("prefix", "membership__user__email", "membership__organization__name")
    fields = (
        "prefix",
        "membership",
        "label",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are issued with `manage.py token_issue`, which shows them once

    @admin.action(description="Revoke the selected tokens now")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            tokens.api_token_revoke(token=token)
        self.message_user(request, f"{queryset.count()} token(s) revoked.", messages.SUCCESS)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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


# Review steps: a small form each, all calling one service --------------------------------------


class NoteForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class AnalysisForm(forms.Form):
    authority_verified = forms.BooleanField(
        required=False, label="Issuing authority verified and competent for the jurisdiction"
    )
    legal_basis_valid = forms.BooleanField(
        required=False, label="Legal basis and attached legal document valid"
    )
    targets_identified = forms.BooleanField(required=False, label="Targets identified")
    rules_broken = forms.BooleanField(
        required=False, label="Target accounts broke the platform's rules"
    )
    moderation_reference = forms.CharField(
        required=False, max_length=200, label="Moderation reference of the rule breach"
    )
    data_minimised = forms.BooleanField(
        required=False, label="Only IP addresses and phone number requested"
    )
    proportionate = forms.BooleanField(required=False, label="Proportionate")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class RejectForm(forms.Form):
    reason_code = forms.ChoiceField(choices=RejectionReason.choices)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ClarifyForm(forms.Form):
    question = forms.CharField(
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
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


ReviewHandler = Callable[[Actor, LegalRequest, dict[str, Any]], object]
REVIEW_STEPS: dict[str, tuple[str, type[forms.Form], ReviewHandler]] = {
    "start": (
        "Start legal review",
        NoteForm,
        lambda actor, lr, data: review.legal_request_start_review(
            actor=actor, legal_request=lr, note=data["note"]
        ),
    ),
    "analysis": (
        "Legal analysis checklist",
        AnalysisForm,
        lambda actor, lr, data: review.legal_analysis_record(actor=actor, legal_request=lr, **data),
    ),
    "approve": (
        "Approve",
        NoteForm,
        lambda actor, lr, data: review.legal_request_approve(
            actor=actor, legal_request=lr, note=data["note"]
        ),
    ),
    "reject": (
        "Reject",
        RejectForm,
        lambda actor, lr, data: review.legal_request_reject(
            actor=actor, legal_request=lr, reason_code=data["reason_code"], note=data["note"]
        ),
    ),
    "clarify": (
        "Ask the authority for clarification (the clock pauses)",
        ClarifyForm,
        lambda actor, lr, data: review.legal_request_ask_clarification(
            actor=actor, legal_request=lr, question=data["question"]
        ),
    ),
    "callback": (
        "Record the emergency callback",
        CallbackForm,
        lambda actor, lr, data: review.legal_request_record_callback(
            actor=actor,
            legal_request=lr,
            officer_name=data["officer_name"],
            confirmed=data["confirmed"],
            notes=data["notes"],
        ),
    ),
    "fulfil": (
        "Fulfil",
        FulfilForm,
        lambda actor, lr, data: disclosure.legal_request_fulfil(
            actor=actor, legal_request=lr, note=data["note"]
        ),
    ),
}


def available_steps(legal_request: LegalRequest) -> list[str]:
    """The review steps that make sense in the request's current status."""
    status, emergency = legal_request.status, legal_request.kind == RequestKind.EMERGENCY_DISCLOSURE
    steps: list[str] = []
    if status == RequestStatus.ROUTED:
        steps.append("start")
    if status in (RequestStatus.UNDER_REVIEW, RequestStatus.NEEDS_INFO):
        steps.append("analysis")
    if status == RequestStatus.UNDER_REVIEW:
        steps += ["approve", "reject", "clarify"]
    if emergency and status in (
        RequestStatus.UNDER_REVIEW,
        RequestStatus.NEEDS_INFO,
        RequestStatus.APPROVED,
    ):
        steps.append("callback")
    if status == RequestStatus.APPROVED:
        steps.append("fulfil")
    return steps


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
    )
    list_filter = ("status", "kind", "category", "jurisdiction")
    search_fields = ("reference", "organization__name", "targets__value")
    date_hierarchy = "submitted_at"
    list_select_related = ("organization",)
    inlines = [TargetInline, DocumentInline, ApprovalInline, CallbackInline, TimelineInline]
    change_form_template = "admin/liaison/legalrequest/change_form.html"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

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
            policy = current_policy()
            context.update(
                review_steps=[
                    (step, REVIEW_STEPS[step][0]) for step in available_steps(legal_request)
                ],
                analysis=analysis,
                missing_checks=policy.missing_checks(analysis, legal_request.kind),
                approvals_required=policy.approvals_required(legal_request.kind),
                policy_version=REVIEW_POLICY_VERSION,
                package=DisclosurePackage.objects.filter(legal_request=legal_request).first(),
                audit_entries=AuditEntry.objects.filter(
                    Q(object_type="LegalRequest", object_id=str(legal_request.pk))
                    | Q(details__legal_request_id=str(legal_request.pk))
                ).order_by("seq")[:200],
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
        title, form_class, handler = REVIEW_STEPS[step]
        initial: dict[str, Any] = {}
        analysis = LegalAnalysis.objects.filter(legal_request=legal_request).first()
        if step == "analysis" and analysis is not None:
            initial = {name: getattr(analysis, name) for name in AnalysisForm.base_fields}
        form = form_class(request.POST if request.method == "POST" else None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                handler(staff_actor(request.user), legal_request, form.cleaned_data)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Staff can look, never add, change or delete."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit log: append-only (a database trigger refuses edits, audit_verify checks it)."""

    list_display = ("seq", "at", "actor_label", "action", "object_type", "object_id", "hash")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "actor_label", "hash")
    actions = None

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """Webhook notices and their attempts; DEAD ones ran out of retries."""

    list_display = (
        "id",
        "organization",
        "event",
        "state",
        "attempts",
        "last_status_code",
        "created_at",
        "delivered_at",
        "dead_lettered_at",
    )
    list_filter = ("state", "event")
    list_select_related = ("organization",)
    actions = None

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]
