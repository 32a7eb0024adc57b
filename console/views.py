"""The console's pages. Thin: each view parses a form, calls one liaison or console service or
selector with the member's Actor (the one the API builds from a token), and renders; a
service's ValidationError becomes form errors, a NotFound a 404 (also for another
organization's ids)."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from datetime import UTC, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from console import forms as console_forms
from console import selectors as console_selectors
from console import services
from console.models import Invitation
from core.actors import Actor
from core.durations import humanize_duration
from core.errors import NotFound
from core.http import client_ip
from core.labels import choice_label, translated_choices
from core.ratelimit import rate_limit_hit
from core.signin import has_enrolled_factor, second_factor_verified, sign_in_with_new_password
from liaison import (
    cannot_comply,
    disclosure,
    documents,
    instruments,
    notifications,
    organizations,
    preservation,
    review,
    selectors,
    signing,
    submission,
    tokens,
    user_notice,
)
from liaison.models import Membership, OrganizationKind, RequestStatus
from liaison.review_policy import DISCLOSURE_KINDS
from liaison.views import document_response

IDLE_KEY = "console_last_seen"
PAGE_SIZE = 25
WITHDRAWABLE = {
    RequestStatus.RECEIVED,
    RequestStatus.ROUTED,
    RequestStatus.UNDER_REVIEW,
    RequestStatus.NEEDS_INFO,
    RequestStatus.APPROVED,
}


class ConsoleRequest(HttpRequest):
    """A request of a signed-in member: `actor` and `membership` are set."""

    actor: Actor
    membership: Membership


def _with_next(url_name: str, next_url: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse(url_name)}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")


def member_required(*, admin: bool = False) -> Callable:
    """Open a view only to an active member who proved a second factor in this session (the
    same test as for staff, core.signin) and whose session is not idle; `admin` also wants the
    organization's admin role. Builds the member's Actor."""

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user: Any = request.user
            here = request.get_full_path()
            if not user.is_authenticated:
                return _with_next("account_login", here)
            now = timezone.now().timestamp()
            last_seen = request.session.get(IDLE_KEY)
            if (
                isinstance(last_seen, (int, float))
                and now - last_seen > settings.CONSOLE_IDLE_TIMEOUT.total_seconds()
            ):
                logout(request)
                messages.info(request, _("Your console session was idle too long: sign in again."))
                return _with_next("account_login", here)
            membership = console_selectors.console_membership(user)
            if membership is None:
                return render(request, "console/not_member.html", status=403)
            if not second_factor_verified(request.session, user):
                if not has_enrolled_factor(user):
                    messages.info(
                        request,
                        _(
                            "The console needs a second factor: add an authenticator app or a "
                            "passkey, then open the console again."
                        ),
                    )
                    return HttpResponseRedirect(reverse("mfa_index"))
                return _with_next("mfa_reauthenticate", here)
            if admin and membership.role != Membership.Role.ADMIN:
                raise Http404("Only your organization's administrators see this page.")
            request.session[IDLE_KEY] = now
            console_request: Any = request
            console_request.membership = membership
            console_request.actor = services.console_actor(membership)
            response = view(console_request, *args, **kwargs)
            response.headers.setdefault("Cache-Control", "no-store")
            return response

        return wrapper

    return decorate


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200):
    membership: Membership | None = getattr(request, "membership", None)
    base = {
        "membership": membership,
        "organization": membership.organization if membership else None,
        "is_admin": bool(membership and membership.role == Membership.Role.ADMIN),
        "is_ngo": bool(membership and membership.organization.kind == OrganizationKind.NGO),
    }
    return render(request, template, {**base, **context}, status=status)


def _request_or_404(request: ConsoleRequest, request_id: str):
    try:
        return console_selectors.access_legal_request(actor=request.actor, request_id=request_id)
    except NotFound as error:
        raise Http404(str(error)) from error


# Requests ------------------------------------------------------------------------------------


@member_required()
def request_list_view(request: ConsoleRequest) -> HttpResponse:
    """GET /console/: the organization's requests, searched and filtered."""
    form = console_forms.RequestFilterForm(request.GET or None)
    values = form.cleaned_data if form.is_valid() else {}
    filters = console_selectors.RequestFilters(
        search=values.get("q", ""),
        status=values.get("status", ""),
        kind=values.get("kind", ""),
        reference=values.get("reference", ""),
        jurisdiction=values.get("jurisdiction", ""),
        due=values.get("due", ""),
    )
    requests = console_selectors.legal_request_search(actor=request.actor, filters=filters)
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return _page(
        request,
        "console/request_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "filtering": any(values.values()),
            "now": timezone.now(),
        },
    )


def _submission_spec(
    form: console_forms.SubmitRequestForm, rows: list
) -> submission.LegalRequestSpec:
    data = form.cleaned_data

    def utc(value: Any) -> Any:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if timezone.is_naive(value) else value

    return submission.LegalRequestSpec(
        kind=data["kind"],
        category=data["category"],
        reference=data["reference"],
        legal_basis=data["legal_basis"],
        jurisdiction=data["jurisdiction"],
        summary=data["summary"],
        targets=[submission.TargetSpec(kind=kind, value=value) for _, kind, value in rows],
        data_categories=list(data["data_categories"]) or None,
        idempotency_key=data["idempotency_key"] or None,
        period_start=utc(data["period_start"]),
        period_end=utc(data["period_end"]),
        instrument=data["instrument"] or None,
        preservation_request_id=data["preservation"],
    )


def _utc(value: Any) -> Any:
    """A datetime-local input's value, read as UTC (the console's forms say UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if timezone.is_naive(value) else value


@member_required()
@require_http_methods(["GET", "POST"])
def request_submit_view(request: ConsoleRequest) -> HttpResponse:
    """GET/POST /console/requests/new/: the submission form, from the instrument table, checked
    by the intake service of the API (same rules, same messages)."""
    organization = request.membership.organization
    options: dict[str, Any] = {
        "organization_kind": organization.kind,
        "default_country": organization.country,
        "preservations": console_selectors.preservation_choices(actor=request.actor),
    }
    if request.method == "POST":
        form = console_forms.SubmitRequestForm(request.POST, **options)
        if form.is_valid():
            rows = form.filled_targets()
            try:
                legal_request = submission.legal_request_submit(
                    actor=request.actor, spec=_submission_spec(form, rows)
                )
            except ValidationError as error:
                console_forms.apply_service_errors(form, error, form.field_map(rows))
            else:
                text = (
                    _("Request %(reference)s received under %(instrument)s (inferred).")
                    if legal_request.instrument_inferred
                    else _("Request %(reference)s received under %(instrument)s (named by you).")
                )
                messages.success(
                    request,
                    text
                    % {
                        "reference": legal_request.reference,
                        "instrument": choice_label(legal_request.get_instrument_display()),
                    },
                )
                return HttpResponseRedirect(
                    reverse("console:request", kwargs={"request_id": legal_request.pk})
                )
    else:
        form = console_forms.SubmitRequestForm(
            initial={"idempotency_key": uuid.uuid4().hex}, **options
        )
    kinds = dict(console_forms.kinds_for(organization.kind))
    guide = [
        {
            "kind": kind,
            "label": kinds[kind],
            "required": instrument.required_fields,
            "bases": instrument.accepted_legal_bases,
            "targets": sorted(instrument.allowed_target_kinds),
            "data": instrument.allows_data_categories,
        }
        for kind, instrument in instruments.INSTRUMENTS.items()
        if kind in kinds
    ]
    legal_instruments = [
        {
            "code": code,
            "label": choice_label(rule.label),
            "kinds": [kinds[kind] for kind in sorted(rule.kinds) if kind in kinds],
            "clock": humanize_duration(rule.clock) if rule.clock else "",
            "clock_source": rule.clock_source,
            "document_required": rule.document_required,
            "document_source": rule.document_source,
            "required": rule.required_fields,
            "bases": rule.accepted_legal_bases,
        }
        for code, rule in instruments.LEGAL_INSTRUMENTS.items()
        if rule.kinds & kinds.keys()
    ]
    bases = sorted(
        {
            base
            for instrument in instruments.INSTRUMENTS.values()
            for base in instrument.accepted_legal_bases
            if instrument.kind in kinds
        }
    )
    return _page(
        request,
        "console/request_submit.html",
        {
            "form": form,
            "guide": guide,
            "bases": bases,
            "legal_instruments": legal_instruments,
            "inference_rules": instruments.INFERENCE_RULES,
        },
        status=400 if form.errors else 200,
    )


@member_required()
@require_http_methods(["GET"])
def request_detail_view(request: ConsoleRequest, request_id: str) -> HttpResponse:
    """GET /console/requests/<id>/: deadline, desk, timeline, and what the member can do."""
    legal_request = _request_or_404(request, request_id)
    return _detail(request, legal_request)


def _detail(request: ConsoleRequest, legal_request: Any, **forms: Any) -> HttpResponse:
    package = None
    if legal_request.kind in DISCLOSURE_KINDS and legal_request.status == RequestStatus.FULFILLED:
        try:
            package = selectors.access_disclosure_package(
                actor=request.actor, legal_request_id=legal_request.pk
            )
        except NotFound:
            package = None
    status = 400 if any(form.errors for form in forms.values()) else 200
    kept = console_selectors.request_preservation(legal_request)
    rule = instruments.LEGAL_INSTRUMENTS.get(kept.instrument) if kept else None
    refusal = console_selectors.latest_cannot_comply(legal_request)
    order = console_selectors.request_non_disclosure_order(legal_request)
    closed = legal_request.status in (RequestStatus.WITHDRAWN, RequestStatus.REJECTED)
    return _page(
        request,
        "console/request_detail.html",
        {
            "legal_request": legal_request,
            "preservation": kept,
            "can_extend_preservation": kept is not None
            and preservation.preservation_extension_refusal(kept) is None,
            "preservation_extension": rule.extension if rule else None,
            "extend_form": forms.get("extend_form") or console_forms.PreservationExtendForm(),
            "cannot_comply": refusal,
            "correction_form": forms.get("correction_form") or console_forms.CorrectionForm(),
            "non_disclosure_order": order,
            "nondisclosure_form": forms.get("nondisclosure_form")
            or console_forms.NonDisclosureOrderForm(),
            "can_order_nondisclosure": not closed,
            "no_data_held": console_selectors.no_data_held(legal_request),
            "verification_pending": console_selectors.verification_pending(legal_request),
            "targets": list(legal_request.targets.order_by("position", "id")),
            "timeline": console_selectors.public_timeline(legal_request),
            # An open cannot-comply answer is answered by the correction form, not here.
            "question": None
            if refusal is not None and refusal.resolved_at is None
            else console_selectors.open_question(legal_request),
            "documents": console_selectors.request_documents(
                actor=request.actor, legal_request=legal_request
            ),
            "answer_form": forms.get("answer_form") or console_forms.AnswerForm(),
            "document_form": forms.get("document_form") or console_forms.DocumentForm(),
            "can_withdraw": legal_request.status in WITHDRAWABLE,
            "can_attach": legal_request.status
            not in (RequestStatus.REJECTED, RequestStatus.FULFILLED, RequestStatus.WITHDRAWN),
            "package": package,
            "package_name": package_name(legal_request),
            "signing_key": signing.public_key_info() if package else None,
            "signing_key_url": request.build_absolute_uri(reverse("liaison:signing-key")),
            "now": timezone.now(),
        },
        status=status,
    )


@member_required()
@require_POST
def request_answer_view(request: ConsoleRequest, request_id: str) -> HttpResponse:
    """POST: answer staff's question (review.legal_request_answer_clarification)."""
    legal_request = _request_or_404(request, request_id)
    form = console_forms.AnswerForm(request.POST)
    if form.is_valid():
        try:
            review.legal_request_answer_clarification(
                actor=request.actor, legal_request=legal_request, answer=form.cleaned_data["answer"]
            )
        except ValidationError as error:
            console_forms.apply_service_errors(form, error)
        else:
            messages.success(request, _("Answer sent; the clock runs again."))
            return HttpResponseRedirect(
                reverse("console:request", kwargs={"request_id": legal_request.pk})
            )
    return _detail(request, legal_request, answer_form=form)


def _back_to(legal_request: Any) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("console:request", kwargs={"request_id": legal_request.pk}))


@member_required()
@require_POST
def request_preservation_extend_view(request: ConsoleRequest, request_id: str) -> HttpResponse:
    """POST (with the confirmation box): the one extension of the preservation
    (preservation.preservation_extend; its refusal, e.g. a second extension, as a form error)."""
    legal_request = _request_or_404(request, request_id)
    form = console_forms.PreservationExtendForm(request.POST)
    if form.is_valid():
        try:
            preservation.preservation_extend(actor=request.actor, legal_request=legal_request)
        except ValidationError as error:
            console_forms.apply_service_errors(form, error, {"id": None})
        else:
            messages.success(request, _("Preservation extended."))
            return _back_to(legal_request)
    return _detail(request, legal_request, extend_form=form)


@member_required()
@require_POST
def request_correct_view(request: ConsoleRequest, request_id: str) -> HttpResponse:
    """POST: correct a request staff could not execute (cannot_comply.legal_request_correct);
    the review and the clock resume."""
    legal_request = _request_or_404(request, request_id)
    form = console_forms.CorrectionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            cannot_comply.legal_request_correct(
                actor=request.actor,
                legal_request=legal_request,
                correction=data["correction"],
                legal_basis=data["legal_basis"] or None,
                summary=data["summary"] or None,
            )
        except ValidationError as error:
            console_forms.apply_service_errors(form, error, form.FIELD_MAP)
        else:
            messages.success(request, _("Correction sent; the review and the clock resume."))
            return _back_to(legal_request)
    return _detail(request, legal_request, correction_form=form)


@member_required()
@require_POST
def request_nondisclosure_view(request: ConsoleRequest, request_id: str) -> HttpResponse:
    """POST: attach the request's non-disclosure order, or extend the one it has
    (liaison.user_notice: one order per request, a later date to extend)."""
    legal_request = _request_or_404(request, request_id)
    form = console_forms.NonDisclosureOrderForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        until = _utc(data["until"])
        try:
            if console_selectors.request_non_disclosure_order(legal_request) is None:
                user_notice.non_disclosure_order_attach(
                    actor=request.actor,
                    legal_request=legal_request,
                    legal_basis=data["legal_basis"],
                    until=until,
                )
                done = _("Non-disclosure order attached.")
            else:
                user_notice.non_disclosure_order_extend(
                    actor=request.actor,
                    legal_request=legal_request,
                    until=until,
                    legal_basis=data["legal_basis"] or None,
                )
                done = _("Non-disclosure order extended.")
        except ValidationError as error:
            console_forms.apply_service_errors(form, error, form.FIELD_MAP)
        else:
            messages.success(request, done)
            return _back_to(legal_request)
    return _detail(request, legal_request, nondisclosure_form=form)


@member_required()
@require_http_methods(["GET", "POST"])
def request_withdraw_view(request: ConsoleRequest, request_id: str) -> HttpResponse:
    """GET: "are you sure?"; POST: withdraw (review.legal_request_withdraw)."""
    legal_request = _request_or_404(request, request_id)
    error_text = ""
    if request.method == "POST":
        try:
            review.legal_request_withdraw(actor=request.actor, legal_request=legal_request)
        except ValidationError as error:
            error_text = " ".join(error.messages)
        else:
            messages.success(
                request,
                _("Request %(reference)s withdrawn.") % {"reference": legal_request.reference},
            )
            return HttpResponseRedirect(
                reverse("console:request", kwargs={"request_id": legal_request.pk})
            )
    return _page(
        request,
        "console/request_withdraw.html",
        {"legal_request": legal_request, "error": error_text},
        status=400 if error_text else 200,
    )


@member_required()
@require_POST
def request_document_view(request: ConsoleRequest, request_id: str) -> HttpResponse:
    """POST (multipart): attach the signed order (documents.legal_document_attach: its size and
    type rules)."""
    legal_request = _request_or_404(request, request_id)
    form = console_forms.DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            documents.legal_document_attach(
                actor=request.actor,
                legal_request_id=legal_request.pk,
                upload=form.cleaned_data["file"],
            )
        except ValidationError as error:
            console_forms.apply_service_errors(form, error, {"requestId": None})
        else:
            messages.success(request, _("Document attached."))
            return HttpResponseRedirect(
                reverse("console:request", kwargs={"request_id": legal_request.pk})
            )
    return _detail(request, legal_request, document_form=form)


@member_required()
@require_http_methods(["GET"])
def document_download_view(request: ConsoleRequest, document_id: uuid.UUID) -> HttpResponseBase:
    """GET a document of the organization (audited, documents.legal_document_open)."""
    opened = documents.legal_document_open(actor=request.actor, document_id=document_id)
    if opened is None:
        raise Http404("No legal document with this id.")
    return document_response(opened)


def package_name(legal_request: Any) -> str:
    """The file name (without extension) of a request's package downloads."""
    reference = "".join(
        c if c.isalnum() or c in "-_." else "-" for c in (legal_request.reference or "")
    )
    return f"disclosure-{reference or legal_request.pk}"


@member_required()
@require_http_methods(["GET"])
def package_download_view(request: ConsoleRequest, request_id: str, fmt: str) -> HttpResponse:
    """GET the disclosure package: `json` (exactly the signed bytes), `sig` (the Ed25519
    signature, base64) or `csv`. Every read is audited (disclosure.disclosure_package_read)."""
    legal_request = _request_or_404(request, request_id)
    package = disclosure.disclosure_package_read(
        actor=request.actor, legal_request_id=legal_request.pk
    )
    if package is None:
        raise Http404("No disclosure package for this request.")
    name = package_name(legal_request)
    if fmt == "json":
        body, content_type, filename = (
            disclosure.disclosure_package_json(package).encode(),
            "application/json",
            f"{name}.json",
        )
    elif fmt == "sig":
        body, content_type, filename = package.signature.encode(), "text/plain", f"{name}.json.sig"
    else:
        body, content_type, filename = (
            disclosure.disclosure_package_csv(package).encode(),
            "text/csv; charset=utf-8",
            f"{name}.csv",
        )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Tokens --------------------------------------------------------------------------------------


@member_required()
@require_http_methods(["GET", "POST"])
def token_list_view(request: ConsoleRequest) -> HttpResponse:
    """GET/POST /console/tokens/: API tokens (name, expiry; the secret shown once), last use."""
    admin = request.membership.role == Membership.Role.ADMIN
    form = console_forms.TokenForm(request.POST if request.method == "POST" else None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = tokens.api_token_issue(
                membership=request.membership,
                label=form.cleaned_data["label"],
                expires_in=timedelta(days=form.cleaned_data["expires_in_days"]),
            )
        except ValidationError as error:
            console_forms.apply_service_errors(form, error, {"expires_in": "expires_in_days"})
        else:
            secret = issued.secret
            form = console_forms.TokenForm()
    return _page(
        request,
        "console/tokens.html",
        {
            "form": form,
            "secret": secret,
            "tokens": console_selectors.token_list(actor=request.actor, admin=admin),
            "now": timezone.now(),
        },
        status=400 if form.errors else 200,
    )


@member_required()
@require_POST
def token_revoke_view(request: ConsoleRequest, token_id: int) -> HttpResponse:
    """POST: revoke a token at once."""
    admin = request.membership.role == Membership.Role.ADMIN
    try:
        token = console_selectors.access_token(actor=request.actor, token_id=token_id, admin=admin)
    except NotFound as error:
        raise Http404(str(error)) from error
    tokens.api_token_revoke(token=token)
    messages.success(request, _("Token %(name)s revoked.") % {"name": token.label or token.prefix})
    return HttpResponseRedirect(reverse("console:tokens"))


# Members (admins) ----------------------------------------------------------------------------


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


@member_required(admin=True)
@require_http_methods(["GET", "POST"])
def member_list_view(request: ConsoleRequest) -> HttpResponse:
    """GET/POST /console/members/: the members, their roles, invitations."""
    form = console_forms.InviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(
                actor=request.actor,
                organization=request.membership.organization,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                base_url=_base_url(request),
            )
        except ValidationError as error:
            console_forms.apply_service_errors(form, error)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]}
            )
            return HttpResponseRedirect(reverse("console:members"))
    return _page(
        request,
        "console/members.html",
        {
            "form": form,
            "members": console_selectors.member_list(actor=request.actor),
            "invitations": console_selectors.invitation_list(actor=request.actor),
            "roles": translated_choices(Membership.Role.choices),
        },
        status=400 if form.errors else 200,
    )


@member_required(admin=True)
@require_POST
def member_change_view(request: ConsoleRequest, membership_id: int) -> HttpResponse:
    """POST: set a member's role (`role`) or (de)activate them (`active` = "0"/"1")."""
    try:
        membership = console_selectors.access_membership(
            actor=request.actor, membership_id=membership_id
        )
    except NotFound as error:
        raise Http404(str(error)) from error
    try:
        if "active" in request.POST:
            organizations.membership_set_active(
                actor=request.actor, membership=membership, active=request.POST["active"] == "1"
            )
        else:
            form = console_forms.MemberRoleForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors["role"][0])
            organizations.membership_set_role(
                actor=request.actor, membership=membership, role=form.cleaned_data["role"]
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(email)s updated.") % {"email": membership.user.email})
    return HttpResponseRedirect(reverse("console:members"))


@member_required(admin=True)
@require_POST
def invitation_revoke_view(request: ConsoleRequest, invitation_id: int) -> HttpResponse:
    """POST: withdraw an open invitation."""
    try:
        invitation = console_selectors.access_invitation(
            actor=request.actor, invitation_id=invitation_id
        )
    except NotFound as error:
        raise Http404(str(error)) from error
    services.invitation_revoke(actor=request.actor, invitation=invitation)
    messages.success(request, _("Invitation of %(email)s withdrawn.") % {"email": invitation.email})
    return HttpResponseRedirect(reverse("console:members"))


# Settings (admins) ---------------------------------------------------------------------------


@member_required(admin=True)
@require_http_methods(["GET", "POST"])
def settings_view(request: ConsoleRequest) -> HttpResponse:
    """GET/POST /console/settings/: webhook URL, its secret (rotate: shown once), a test event,
    the contact address. POST `action` says which."""
    organization = request.membership.organization
    webhook_form = console_forms.WebhookForm(initial={"webhook_url": organization.webhook_url})
    contacts_form = console_forms.ContactsForm(
        initial={"contact_email": organization.contact_email}
    )
    secret = None
    action = request.POST.get("action", "")
    if request.method == "POST":
        try:
            if action == "webhook":
                webhook_form = console_forms.WebhookForm(request.POST)
                if webhook_form.is_valid():
                    _saved, secret = organizations.organization_webhook_set(
                        actor=request.actor, url=webhook_form.cleaned_data["webhook_url"]
                    )
                    messages.success(request, _("Webhook URL saved."))
            elif action == "rotate":
                secret = organizations.organization_webhook_secret_rotate(actor=request.actor)
                messages.success(
                    request, _("New webhook secret made; the old one no longer signs.")
                )
            elif action == "test":
                organizations.require_organization_admin(request.actor)
                notifications.webhook_test_send(organization=organization)
                messages.success(request, _("Test event queued; see its delivery below."))
            elif action == "contacts":
                contacts_form = console_forms.ContactsForm(request.POST)
                if contacts_form.is_valid():
                    organizations.organization_contacts_set(
                        actor=request.actor,
                        contact_email=contacts_form.cleaned_data["contact_email"],
                    )
                    messages.success(request, _("Contact address saved."))
            else:
                raise Http404("No such action.")
        except ValidationError as error:
            form = contacts_form if action == "contacts" else webhook_form
            console_forms.apply_service_errors(form, error)
        organization.refresh_from_db()
    deliveries = list(organization.webhook_deliveries.order_by("-created_at", "-id")[:10])
    errors = webhook_form.errors or contacts_form.errors
    return _page(
        request,
        "console/settings.html",
        {
            "webhook_form": webhook_form,
            "contacts_form": contacts_form,
            "secret": secret,
            "organization": organization,
            "deliveries": deliveries,
        },
        status=400 if errors else 200,
    )


# NGOs ----------------------------------------------------------------------------------------


@member_required()
@require_http_methods(["GET"])
def statistics_view(request: ConsoleRequest) -> HttpResponse:
    """GET /console/statistics/: the organization's own notices per month and category."""
    return _page(
        request,
        "console/statistics.html",
        {"rows": console_selectors.notice_statistics(actor=request.actor)},
    )


# Getting access (public) ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def request_access_view(request: HttpRequest) -> HttpResponse:
    """GET/POST /console/request-access/: a pending organization with the evidence staff need.
    Public, rate-limited per client address."""
    form = console_forms.AccessRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        decision = rate_limit_hit(
            bucket=f"console:access:{client_ip(request)}",
            limit=settings.CONSOLE_ACCESS_REQUESTS_PER_HOUR,
            window=3600,
        )
        if not decision.allowed:
            form.add_error(None, _("Too many requests for access from your address: try later."))
        else:
            try:
                services.access_request_submit(
                    application=services.AccessApplication(**form.cleaned_data),
                    base_url=_base_url(request),
                )
            except ValidationError as error:
                console_forms.apply_service_errors(form, error)
            else:
                return HttpResponseRedirect(reverse("console:request-access-sent"))
    return render(
        request, "console/request_access.html", {"form": form}, status=400 if form.errors else 200
    )


def request_access_sent_view(request: HttpRequest) -> HttpResponse:
    """What happens next, after a request for access."""
    return render(request, "console/request_access_sent.html")


@require_http_methods(["GET", "POST"])
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET/POST /console/invitations/<token>/: join with a new password (then enrol a second
    factor), or, signed in as the invited address, join at once."""
    invitation: Invitation | None = services.invitation_get_open(token=token)
    if invitation is None:
        return render(request, "console/invitation_invalid.html", status=404)
    user: Any = request.user
    posted = request.method == "POST"
    form = console_forms.AcceptInvitationForm(
        request.POST if posted and not user.is_authenticated else None
    )
    if posted and (user.is_authenticated or form.is_valid()):
        try:
            if user.is_authenticated:
                services.invitation_accept_signed_in(token=token, user=user)
            else:
                membership = services.invitation_accept(
                    token=token,
                    password=form.cleaned_data["password"],
                    password_again=form.cleaned_data["password_again"],
                )
                sign_in_with_new_password(request, membership.user)
        except ValidationError as error:
            console_forms.apply_service_errors(form, error)
        else:
            joined = request.user
            welcome = (
                _("Welcome to %(name)s.")
                if has_enrolled_factor(joined)
                else _("Welcome to %(name)s. Now add your second factor.")
            )
            messages.success(request, welcome % {"name": invitation.organization.name})
            return HttpResponseRedirect(reverse("console:home"))
    return render(
        request,
        "console/invitation_accept.html",
        {"invitation": invitation, "form": form, "signed_in": user.is_authenticated},
        status=400 if form.errors else 200,
    )
