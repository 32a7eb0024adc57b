"""Staff admin of the tenants: organizations (verification, webhook secret) and API tokens."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from liaison import notifications, organizations, tokens
from liaison.models import ApiToken, Membership, Organization


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
