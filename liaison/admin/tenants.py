"""Staff admin of the tenants: organizations (verification, webhook secret) and API tokens."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from core.actors import staff_actor
from liaison import notifications, organizations, tokens, verification
from liaison.audit import AuditAction, audit_record
from liaison.models import ApiToken, CallbackNumberChange, Membership, Organization


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

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The callback number changes through a change that a second staff member approves
        # (Callback number changes); the slug and kind never change.
        if obj is None:
            return self.readonly_fields
        return (*self.readonly_fields, "slug", "kind", "callback_phone")

    def save_model(self, request: HttpRequest, obj: Organization, form: Any, change: bool) -> None:
        actor = staff_actor(request.user)
        if not change:
            super().save_model(request, obj, form, change)
            audit_record(
                actor=actor,
                action=AuditAction.ORGANIZATION_CHANGED,
                object_type="Organization",
                object_id=obj.pk,
                organization_id=obj.pk,
                details={
                    "registered": True,
                    "changes": {
                        field: {"from": "", "to": str(form.cleaned_data.get(field) or "")}
                        for field in form.changed_data
                    },
                },
            )
            return
        changed = {
            field: form.cleaned_data[field]
            for field in form.changed_data
            if field in verification.CHANGEABLE_FIELDS
        }
        stored = Organization.objects.get(pk=obj.pk)
        verification.organization_change(actor=actor, organization=stored, changes=changed)

    @admin.action(description="Generate a new webhook secret (shown once)")
    def rotate_webhook_secret(self, request: HttpRequest, queryset: QuerySet[Organization]) -> None:
        for organization in queryset:
            secret = notifications.organization_webhook_secret_rotate(
                organization=organization, actor=staff_actor(request.user)
            )
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
            organizations.organization_unverify(
                organization=organization, unverified_by=request.user
            )
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
            tokens.api_token_revoke(token=token, actor=staff_actor(request.user))
        self.message_user(request, f"{queryset.count()} token(s) revoked.", messages.SUCCESS)


class CallbackNumberChangeForm(forms.ModelForm):
    """Ask for a new callback number (any common format; stored in E.164)."""

    class Meta:
        model = CallbackNumberChange
        fields = ["organization", "new_phone", "reason"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        organization = cleaned.get("organization")
        if organization is not None and cleaned.get("new_phone"):
            try:
                cleaned["new_phone"] = verification.normalise_callback_phone(
                    cleaned["new_phone"], organization.country
                )
            except ValidationError as error:
                self.add_error(None, error)
            else:
                if cleaned["new_phone"] == organization.callback_phone:
                    self.add_error("new_phone", "That is the registered number already.")
                if CallbackNumberChange.objects.filter(
                    organization=organization, state=CallbackNumberChange.State.PENDING
                ).exists():
                    self.add_error(
                        None,
                        "A change of this organization's callback number is already waiting "
                        "for approval; approve or reject it first.",
                    )
        return cleaned


@admin.register(CallbackNumberChange)
class CallbackNumberChangeAdmin(admin.ModelAdmin):
    """Changes of an organization's registered callback number: one staff member asks, another
    approves (the number staff call back before any data leaves a held or emergency request)."""

    form = CallbackNumberChangeForm
    list_display = (
        "organization", "old_phone", "new_phone", "state", "requested_by", "requested_at",
        "decided_by", "decided_at",
    )  # fmt: skip
    list_filter = ("state",)
    actions = ["approve", "reject"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        return [field.name for field in self.model._meta.fields]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: CallbackNumberChange, form: Any, change: bool
    ) -> None:
        if change:
            return  # decided by the actions only
        created = verification.callback_number_change_request(
            actor=staff_actor(request.user),
            organization=form.cleaned_data["organization"],
            new_phone=form.cleaned_data["new_phone"],
            reason=form.cleaned_data.get("reason") or "",
        )
        obj.pk = created.pk

    def _decide(
        self, request: HttpRequest, queryset: QuerySet[CallbackNumberChange], call: Any
    ) -> None:
        actor = staff_actor(request.user)
        for change in queryset:
            try:
                call(actor=actor, change=change)
            except ValidationError as error:
                self.message_user(
                    request, f"{change.organization}: {'; '.join(error.messages)}", messages.ERROR
                )
            else:
                self.message_user(request, f"{change.organization}: done.", messages.SUCCESS)

    @admin.action(description="Approve the selected changes (a second staff member)")
    def approve(self, request: HttpRequest, queryset: QuerySet[CallbackNumberChange]) -> None:
        self._decide(request, queryset, verification.callback_number_change_approve)

    @admin.action(description="Reject the selected changes")
    def reject(self, request: HttpRequest, queryset: QuerySet[CallbackNumberChange]) -> None:
        self._decide(request, queryset, verification.callback_number_change_reject)
