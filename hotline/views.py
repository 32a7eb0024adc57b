"""The hotline chat page (`/hotline/`): a plain template; the page's own script does the rest
over GraphQL (graphql-transport-ws). Members paste their token once (kept in the tab's
sessionStorage, never in a URL); staff use their admin session, with its second factor."""

from __future__ import annotations

from typing import Any

from csp.constants import NONE
from csp.decorators import csp_replace
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from core.signin import staff_signed_in
from liaison.models import RequestCategory

# The portal's policy (CONTENT_SECURITY_POLICY in settings), tighter here: the page's script
# does everything, so no form may submit anywhere and no style="..." attribute applies.
HOTLINE_CSP_REPLACE = {"form-action": [NONE], "style-src-attr": None}
ONE_HOUR_CATEGORIES = {RequestCategory.CHILD_SAFETY, RequestCategory.TERRORISM}


@require_safe
@csp_replace(HOTLINE_CSP_REPLACE)
def hotline_page(request: HttpRequest) -> HttpResponse:
    """The chat for members (token) and staff (session)."""
    user: Any = request.user
    # A staff password alone is not a staff session: without the second factor, the member page.
    is_staff = staff_signed_in(user, request.session)
    categories = [
        {"value": value, "label": label, "fast": value in ONE_HOUR_CATEGORIES}
        for value, label in RequestCategory.choices
    ]
    response = render(
        request,
        "hotline/chat.html",
        {
            "is_staff": is_staff,
            "staff_name": (user.get_full_name() or user.get_username()) if is_staff else "",
            "categories": categories,
        },
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
