"""The staff entry point `/admin/`: Django's admin, opened only to staff who signed in through
allauth with their second factor (core.signin)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from core.signin import has_enrolled_factor, staff_signed_in


def _with_next(url_name: str, next_url: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse(url_name)}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")


class StaffAdminSite(admin.AdminSite):
    """Every admin view asks `has_permission`; when it says no, admin sends the browser to
    `login`, which here is not a password form but the way to whatever is missing: sign-in
    (allauth: password, then the second factor), enrolment of a factor, or proving it again."""

    site_header = "Liaison Portal staff"
    site_title = "Liaison Portal staff"

    def has_permission(self, request: HttpRequest) -> bool:
        return staff_signed_in(request.user, request.session)

    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("admin:index", current_app=self.name)
        user: Any = request.user
        if not user.is_authenticated:
            return _with_next("account_login", next_url)
        if not (user.is_active and user.is_staff):
            return TemplateResponse(request, "signin/not_staff.html", status=403)
        if staff_signed_in(user, request.session):
            return HttpResponseRedirect(next_url)
        if not has_enrolled_factor(user):
            messages.info(
                request,
                "Staff sign in with a second factor: add an authenticator app or a security "
                "key (passkey) to continue to the staff admin.",
            )
            return _with_next("mfa_index", next_url)
        # Signed in, enrolled, but this session never proved the factor (or did so longer
        # ago than a session may live): prove it now.
        return _with_next("mfa_reauthenticate", next_url)
