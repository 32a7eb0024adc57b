"""Admin of the ground floor (Django's autodiscovery imports this module): the outbox, and each
staff member's own display name."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from core.outbox import admin as outbox_admin  # noqa: F401 (registers the outbox admin)
from core.staff import StaffProfile


def _is_staff(request: HttpRequest) -> bool:
    user: Any = request.user
    return bool(user.is_active and user.is_staff)


def _owns(request: HttpRequest, profile: StaffProfile | None) -> bool:
    user: Any = request.user
    return profile is None or user.is_superuser or profile.user_id == user.pk


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    """Every staff member sets their own display name here (no permission needed beyond being
    staff); superusers see and correct everyone's."""

    list_display = ("user", "display_name", "time_zone", "updated_at")
    search_fields = ("display_name",)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        user: Any = request.user
        fields = ["display_name", "time_zone"]
        return ["user", *fields] if user.is_superuser else fields

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        user: Any = request.user
        if user.is_superuser:
            return form

        class OwnProfileForm(form):  # type: ignore[valid-type, misc]
            """The profile is the signed-in user's own (the model checks the name against it)."""

            def __init__(self, *args: Any, **inner: Any) -> None:
                super().__init__(*args, **inner)
                if not self.instance.user_id:
                    self.instance.user = user

        return OwnProfileForm

    def get_queryset(self, request: HttpRequest) -> Any:
        profiles = super().get_queryset(request).select_related("user")
        user: Any = request.user
        return profiles if user.is_superuser else profiles.filter(user_id=user.pk)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_staff(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_staff(request) and _owns(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_staff(request) and _owns(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_staff(request) and obj is not None and _owns(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        user: Any = request.user
        if not _is_staff(request):
            return False
        return user.is_superuser or not StaffProfile.objects.filter(user_id=user.pk).exists()

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        user: Any = request.user
        if user.is_superuser or not _is_staff(request):
            return super().changelist_view(request, extra_context)
        # A staff member has one profile: straight to it (or to creating it).
        own = StaffProfile.objects.filter(user_id=user.pk).first()
        if own is None:
            return HttpResponseRedirect(reverse("admin:core_staffprofile_add"))
        return HttpResponseRedirect(reverse("admin:core_staffprofile_change", args=[own.pk]))


__all__ = ["StaffProfileAdmin"]
