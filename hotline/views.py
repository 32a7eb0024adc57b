"""The hotline chat page (`/hotline/`): a plain template; the page's own script does the rest
over GraphQL (graphql-transport-ws). Members paste their token once (kept in the tab's
sessionStorage, never in a URL); staff use their admin session, with its second factor."""

from __future__ import annotations

from typing import Any

from csp.constants import NONE
from csp.decorators import csp_replace
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from core.signin import staff_signed_in
from liaison.models import RequestCategory

# The portal's policy (CONTENT_SECURITY_POLICY in settings), tighter here: the page's script
# does everything, so no form may submit anywhere and no style="..." attribute applies.
HOTLINE_CSP_REPLACE = {"form-action": [NONE], "style-src-attr": None}
ONE_HOUR_CATEGORIES = {RequestCategory.CHILD_SAFETY, RequestCategory.TERRORISM}
CATEGORY_LABELS = {
    RequestCategory.TERRORISM: _("Terrorism"),
    RequestCategory.CHILD_SAFETY: _("Child safety"),
    RequestCategory.ILLEGAL_GOODS: _("Illegal goods"),
    RequestCategory.FRAUD: _("Fraud"),
    RequestCategory.VIOLENCE: _("Violence"),
    RequestCategory.OTHER: _("Other"),
}
# Every text chat.js shows, by its English wording (its t("...") calls): translated here, in
# the page's language, and handed to the script as JSON.
CHAT_TEXTS = [
    gettext_noop("%(category)s report %(reference)s"),
    gettext_noop("%(count)s staff online"),
    gettext_noop("%(count)s unread"),
    gettext_noop("%(line)s · answered by the platform's staff"),
    gettext_noop("%(minutes)s min overdue"),
    gettext_noop("%(name)s is typing…"),
    gettext_noop("%(what)s sent — finding the right desk…"),
    gettext_noop("%(what)s → %(desk)s · due %(deadline)s, %(left)s"),
    gettext_noop("(staff)"),
    gettext_noop("A message is at most 8 KB. Shorten it or split it in two."),
    gettext_noop("Authority"),
    gettext_noop("Choose what the report is about: it decides the desk and the clock."),
    gettext_noop("Connected"),
    gettext_noop("Connecting…"),
    gettext_noop("Connection lost — retrying in %(seconds)s s"),
    gettext_noop("Main line"),
    gettext_noop("NGO"),
    gettext_noop("No messages yet."),
    gettext_noop("No messages yet. Write below: the platform's staff answer here."),
    gettext_noop("No staff online — urgent reports still page the on-call team"),
    gettext_noop("Not signed in"),
    gettext_noop("Platform staff"),
    gettext_noop("Reconnecting…"),
    gettext_noop("Report routed"),
    gettext_noop("Report sent"),
    gettext_noop("Send"),
    gettext_noop("Send urgent report"),
    gettext_noop("Staff"),
    gettext_noop("Switchboard"),
    gettext_noop("That does not look like a Liaison Portal token (it starts with lp_)."),
    gettext_noop("This token was refused: it may be expired or revoked. Paste a current one."),
    gettext_noop("Urgent"),
    gettext_noop("Write a message before sending."),
    gettext_noop("You"),
    gettext_noop("Your organization's main line"),
    gettext_noop("Your session ended — sign in to admin again"),
    gettext_noop("in %(hours)s h"),
    gettext_noop("in %(minutes)s min"),
    gettext_noop("main line"),
    gettext_noop("sending…"),
]


@require_safe
@csp_replace(HOTLINE_CSP_REPLACE)
def hotline_page(request: HttpRequest) -> HttpResponse:
    """The chat for members (token) and staff (session)."""
    user: Any = request.user
    # A staff password alone is not a staff session: without the second factor, the member page.
    is_staff = staff_signed_in(user, request.session)
    categories = [
        {
            "value": value,
            "label": CATEGORY_LABELS.get(RequestCategory(value), label),
            "fast": value in ONE_HOUR_CATEGORIES,
        }
        for value, label in RequestCategory.choices
    ]
    texts = {text: gettext(text) for text in CHAT_TEXTS}
    texts.update({f"category:{c['value']}": str(c["label"]) for c in categories})
    response = render(
        request,
        "hotline/chat.html",
        {
            "is_staff": is_staff,
            "staff_name": (user.get_full_name() or user.get_username()) if is_staff else "",
            "categories": categories,
            "texts": texts,
        },
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
