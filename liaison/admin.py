"""Staff views of organizations, tokens and legal requests; actions go through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from liaison import services
from liaison.models import ApiToken, LegalRequest, Membership, Organization, Target, TimelineEntry


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
    inlines = [MembershipInline]
    actions = ["verify", "unverify"]

    @admin.action(description="Verify the selected organizations (they may submit requests)")
    def verify(self, request: HttpRequest, queryset: QuerySet[Organization]) -> None:
        for organization in queryset:
            services.organization_verify(organization=organization, verified_by=request.user)
        self.message_user(
            request, f"{queryset.count()} organization(s) verified.", messages.SUCCESS
        )

    @admin.action(description="Withdraw verification (read-only access)")
    def unverify(self, request: HttpRequest, queryset: QuerySet[Organization]) -> None:
        for organization in queryset:
            services.organization_unverify(organization=organization)
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
            services.api_token_revoke(token=token)
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


@admin.register(LegalRequest)
class LegalRequestAdmin(admin.ModelAdmin):
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
    inlines = [TargetInline, TimelineInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
