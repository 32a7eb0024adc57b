"""The portal's own public pages: the front door (`/`), the integration guide rendered from
docs/integration.md (`/docs/integration/`) and the language choice (`/language/<code>/`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import check_for_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from markdown_it import MarkdownIt

from core.durations import humanize_duration
from liaison.instruments import AUTHORITIES, INSTRUMENTS
from liaison.models import RequestCategory, RequestKind
from switchboard.selectors import routing_policy_get

INTEGRATION_GUIDE = Path(settings.BASE_DIR) / "docs" / "integration.md"

# What each kind is for, in the words of the instruments behind it (liaison/instruments.py has
# the accepted legal bases; the clocks are the live policy's).
KIND_LABELS = {
    RequestKind.DATA_DISCLOSURE: _("Data disclosure"),
    RequestKind.EMERGENCY_DISCLOSURE: _("Emergency disclosure"),
    RequestKind.PRESERVATION: _("Preservation"),
    RequestKind.CONTENT_REMOVAL: _("Content removal"),
    RequestKind.MODERATION_NOTICE: _("Moderation notice"),
}
KIND_PURPOSES = {
    RequestKind.DATA_DISCLOSURE: _(
        "The IP addresses and phone number of named accounts, on a court order, a European "
        "Production Order, a subpoena or an MLAT request."
    ),
    RequestKind.EMERGENCY_DISCLOSURE: _(
        "The same data when a life is in danger: an emergency disclosure, confirmed by a call "
        "to your agency's registered number before any data leaves."
    ),
    RequestKind.PRESERVATION: _(
        "Keep an account's data while you obtain the order that discloses it (90 days in the "
        "US, 60 + 30 days in the EU)."
    ),
    RequestKind.CONTENT_REMOVAL: _(
        "Take content down: a terrorist content removal order (one hour) or an order to act "
        "against illegal content under the Digital Services Act."
    ),
    RequestKind.MODERATION_NOTICE: _(
        "Flag content that breaks the law or the platform's rules; trusted flaggers' notices "
        "come first."
    ),
}


@dataclass(frozen=True)
class KindRow:
    """One line of the front door's table: a kind of request, who may send it, its clocks."""

    kind: str
    label: str
    purpose: str
    authorities_only: bool
    clocks: str


def _kind_rows() -> list[KindRow]:
    policy = routing_policy_get(max_age=30.0)
    rows = []
    for kind, instrument in INSTRUMENTS.items():
        clocks = sorted({policy.clock(kind, category) for category in RequestCategory.values})
        shortest, longest = humanize_duration(clocks[0]), humanize_duration(clocks[-1])
        rows.append(
            KindRow(
                kind=str(kind),
                label=str(KIND_LABELS[RequestKind(kind)]),
                purpose=str(KIND_PURPOSES[RequestKind(kind)]),
                authorities_only=instrument.senders == AUTHORITIES,
                clocks=shortest if shortest == longest else f"{shortest} \N{EN DASH} {longest}",
            )
        )
    return rows


@require_safe
def front_door(request: HttpRequest) -> HttpResponse:
    """`/`: what the portal is for, who may send what, how to get access, emergencies."""
    return render(request, "portal/front_door.html", {"kinds": _kind_rows()})


@lru_cache(maxsize=4)
def _render_markdown(text: str) -> SafeString:
    # Raw HTML in the document is escaped, never passed through (commonmark allows it).
    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    html = parser.render(text)
    # Code blocks and tables scroll sideways on a phone: keyboard users must reach them too.
    html = html.replace("<pre>", '<pre tabindex="0">').replace("<table>", '<table tabindex="0">')
    return mark_safe(html)  # noqa: S308 (markdown-it escapes all text)


@require_safe
def integration_guide(request: HttpRequest) -> HttpResponse:
    """`/docs/integration/`: docs/integration.md for integrators, as a page."""
    try:
        text = INTEGRATION_GUIDE.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise Http404("The integration guide is not installed.") from error
    # The document's own title first, then the note about languages, then the rest.
    title, _, rest = _render_markdown(text).partition("</h1>")
    return render(
        request,
        "portal/integration.html",
        {"title": mark_safe(title + "</h1>"), "document": mark_safe(rest)},  # noqa: S308
    )


@require_safe
def language_choose(request: HttpRequest, code: str) -> HttpResponse:
    """Remember the visitor's language in a cookie and go back to the page they were on.

    A plain link (GET) rather than Django's set_language form: the hotline page allows no form
    to submit anywhere (its CSP), and a language preference is not a change worth a CSRF token.
    """
    destination = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        destination, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        destination = "/"
    response = HttpResponseRedirect(destination)
    if code in dict(settings.LANGUAGES) and check_for_language(code):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
        )
    return response
