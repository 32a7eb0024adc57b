"""Staff verify requests for access in admin: the evidence, and the call to a number staff
sourced themselves (console.services.access_request_record_call, audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from console import services
from console.forms import VerificationCallForm, apply_service_errors
from console.models import AccessRequest, Invitation, VerificationCall
from core.actors import staff_actor
from liaison import permissions


def _may_verify(request: HttpRequest) -> bool:
    return permissions.can_record_callback(staff_actor(request.user))


class VerificationCallInline(admin.TabularInline):
    model = VerificationCall
    extra = 0
    can_delete = False
    fields = ("called_at", "dialled_number", "number_source", "person_reached", "confirmed",
              "notes", "called_by")  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_verify(request) or super().has_view_permission(request, obj)


@admin.register(AccessRequest)
class AccessRequestAdmin(admin.ModelAdmin):
    """Pending organizations with their evidence; verified only by a recorded call."""

    list_display = ("organization", "official_domain", "switchboard_phone", "applicant_email",
                    "state", "created_at")  # fmt: skip
    list_filter = ("state", "organization__kind", "organization__country")
    search_fields = ("organization__name", "official_domain", "applicant_email",
                     "registry_identifier")  # fmt: skip
    readonly_fields = (
        "organization", "applicant_name", "applicant_email", "applicant_role", "official_domain",
        "registry_identifier", "switchboard_phone", "directory_source", "notes", "state",
        "created_at", "decided_at", "email_domain",
    )  # fmt: skip
    fields = readonly_fields
    inlines = [VerificationCallInline]
    change_form_template = "admin/console/accessrequest/change_form.html"

    @admin.display(description="E-mail domain (a hint, never proof)")
    def email_domain(self, access_request: AccessRequest) -> str:
        domain = access_request.applicant_email.rpartition("@")[2]
        official = access_request.official_domain
        same = domain == official or domain.endswith(f".{official}")
        return f"{domain}: {'matches' if same else 'differs from'} the official domain {official}"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_verify(request) or super().has_view_permission(request, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_verify(request) or super().has_module_permission(request)

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<path:object_id>/record-call/",
                self.admin_site.admin_view(self.record_call_view),
                name="console_accessrequest_record_call",
            ),
            *super().get_urls(),
        ]

    def record_call_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Record the verification call (staff who may record callbacks)."""
        access_request = self.get_object(request, object_id)
        if access_request is None:
            raise Http404("No such request for access.")
        actor = staff_actor(request.user)
        form = VerificationCallForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                services.access_request_record_call(
                    actor=actor,
                    access_request=access_request,
                    base_url=request.build_absolute_uri("/"),
                    **form.cleaned_data,
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                outcome = (
                    "verified; the applicant is invited by e-mail"
                    if form.cleaned_data["confirmed"]
                    else "rejected"
                )
                messages.success(
                    request, f"Call recorded: {access_request.organization} {outcome}."
                )
                return HttpResponseRedirect(
                    reverse("admin:console_accessrequest_change", args=[access_request.pk])
                )
        return TemplateResponse(
            request,
            "admin/console/accessrequest/record_call.html",
            {
                **self.admin_site.each_context(request),
                "title": "Record the verification call",
                "original": access_request,
                "form": form,
                "opts": self.model._meta,
                "may_verify": _may_verify(request),
            },
            status=400 if form.errors else 200,
        )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations sent (their links are never stored, only hashes)."""

    list_display = ("email", "organization", "role", "created_at", "expires_at", "accepted_at",
                    "revoked_at")  # fmt: skip
    list_filter = ("role",)
    search_fields = ("email", "organization__name")
    fields = ("organization", "email", "role", "invited_by", "created_at", "expires_at",
              "accepted_at", "revoked_at", "membership")  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
