"""The console's reads, all through the liaison selectors' tenant scoping (`visible_to(actor)`,
`access_*`): another organization's object is "not found" on every page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from console.models import Invitation
from core.actors import Actor
from core.errors import NotFound
from core.graphql.ids import decode_global_id, uuid_pk
from liaison import permissions, selectors
from liaison.lifecycle import TERMINAL_STATUSES
from liaison.models import (
    ApiToken,
    CannotComplyNotice,
    IntakeAssessment,
    LegalDocument,
    LegalRequest,
    LegalRequestQuerySet,
    Membership,
    NoDataDecision,
    NonDisclosureOrder,
    Preservation,
    RequestKind,
    TimelineEntry,
)

MEMBER_NOT_FOUND = "No member with this id."
TOKEN_NOT_FOUND = "No API token with this id."  # noqa: S105 - a message, not a secret
INVITATION_NOT_FOUND = "No invitation with this id."


def console_membership(user: object) -> Membership | None:
    """The membership a signed-in user acts through in the console: their first active
    membership of an organization that is not suspended; None for anyone else."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not getattr(user, "is_active", False):
        return None
    return (
        Membership.objects.select_related("organization", "user")
        .filter(user_id=user.pk, is_active=True)  # type: ignore[attr-defined]
        .exclude(organization__verification="SUSPENDED")
        .order_by("id")
        .first()
    )


def access_request_verifier_emails() -> list[str]:
    """The addresses of the active staff who may verify an organization (record the call:
    callback officers, by group or by their own permission, and superusers), sorted."""
    app_label, codename = permissions.RECORD_CALLBACK.split(".")
    granted = {"content_type__app_label": app_label, "codename": codename}
    may_call = Permission.objects.filter(**granted)
    users = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__permissions__in=may_call)
            | Q(user_permissions__in=may_call)
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    return sorted(set(users))


# Requests ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestFilters:
    """The console's request filters; empty strings mean "any"."""

    search: str = ""
    status: str = ""
    kind: str = ""
    reference: str = ""
    jurisdiction: str = ""
    due: str = ""  # "", "soon", "overdue" or "paused"


def legal_request_search(
    *, actor: Actor, filters: RequestFilters, now: datetime | None = None
) -> LegalRequestQuerySet:
    """The organization's requests matching the filters, newest first."""
    now = now or timezone.now()
    requests = selectors.legal_request_list(actor=actor)
    if filters.search.strip():
        text = filters.search.strip()
        requests = requests.filter(
            Q(reference__icontains=text)
            | Q(summary__icontains=text)
            | Q(targets__value__icontains=text)
        ).distinct()
    if filters.status:
        requests = requests.filter(status=filters.status)
    if filters.kind:
        requests = requests.filter(kind=filters.kind)
    if filters.reference.strip():
        requests = requests.filter(reference__icontains=filters.reference.strip())
    if filters.jurisdiction:
        requests = requests.filter(jurisdiction=filters.jurisdiction.strip().upper())
    open_requests = ~Q(status__in=TERMINAL_STATUSES) & Q(clock_paused_at__isnull=True)
    if filters.due == "overdue":
        requests = requests.filter(open_requests, due_at__lt=now)
    elif filters.due == "soon":
        requests = requests.filter(
            open_requests, due_at__gte=now, due_at__lte=now + settings.CONSOLE_DUE_SOON
        )
    elif filters.due == "paused":  # waiting for the organization: the clock stands still
        requests = requests.filter(clock_paused_at__isnull=False)
    return requests


def preservation_choices(*, actor: Actor) -> list[tuple[str, str]]:
    """The organization's preservations still kept, as (request id, label) for a production
    request to name (the intake service checks the one named)."""
    rows = (
        selectors.legal_request_list(actor=actor)
        .filter(kind="PRESERVATION", preservation__ended_at__isnull=True)
        .select_related("preservation")
        .order_by("-submitted_at", "-id")[:200]
    )
    return [
        (
            str(row.pk),
            f"{row.reference or row.pk} (kept until {row.preservation.preserved_until:%Y-%m-%d})",
        )
        for row in rows
    ]


def access_legal_request(*, actor: Actor, request_id: str) -> LegalRequest:
    """One of the organization's requests by its global id (as the API and the hotline card
    write it) or its UUID; NotFound otherwise."""
    pk = decode_global_id(request_id, "LegalRequest", uuid_pk) or request_id
    return selectors.access_legal_request(actor=actor, legal_request_id=pk)


def public_timeline(legal_request: LegalRequest) -> list[TimelineEntry]:
    """What the organization sees of a request's history, oldest first."""
    return list(legal_request.timeline.filter(public=True).order_by("at", "id"))


def open_question(legal_request: LegalRequest) -> TimelineEntry | None:
    """Staff's latest question, while the request waits for an answer."""
    if legal_request.status != "NEEDS_INFO":
        return None
    return (
        legal_request.timeline.filter(public=True, status="NEEDS_INFO")
        .order_by("-at", "-id")
        .first()
    )


def request_preservation(legal_request: LegalRequest) -> Preservation | None:
    """The preservation of a request's data, once recorded."""
    return Preservation.objects.filter(legal_request_id=legal_request.pk).first()


def latest_cannot_comply(legal_request: LegalRequest) -> CannotComplyNotice | None:
    """Staff's latest answer that the request cannot be executed (as the API's cannotComply)."""
    return (
        CannotComplyNotice.objects.filter(legal_request_id=legal_request.pk)
        .order_by("-raised_at", "-id")
        .first()
    )


def request_non_disclosure_order(legal_request: LegalRequest) -> NonDisclosureOrder | None:
    """The organization's non-disclosure order on the request, if any."""
    return NonDisclosureOrder.objects.filter(legal_request_id=legal_request.pk).first()


def no_data_held(legal_request: LegalRequest) -> bool:
    """Whether staff decided that no data is held for the request (no package, said so)."""
    return NoDataDecision.objects.filter(legal_request_id=legal_request.pk).exists()


def verification_pending(legal_request: LegalRequest) -> bool:
    """Whether the platform is verifying the request with the organization (never why)."""
    assessment = IntakeAssessment.objects.filter(legal_request_id=legal_request.pk).first()
    return bool(assessment is not None and assessment.holding)


def request_documents(*, actor: Actor, legal_request: LegalRequest) -> list[LegalDocument]:
    """The documents of one request the actor may read."""
    return list(
        selectors.legal_document_list(actor=actor)
        .filter(legal_request=legal_request)
        .order_by("uploaded_at", "id")
    )


# The organization ----------------------------------------------------------------------------


def member_list(*, actor: Actor) -> list[Membership]:
    """The organization's members, active first."""
    return list(
        Membership.objects.filter(organization_id=actor.organization_id or 0)
        .select_related("user")
        .order_by("-is_active", "user__email")
    )


def access_membership(*, actor: Actor, membership_id: object) -> Membership:
    """One member of the actor's organization; NotFound otherwise."""
    pk = membership_id if isinstance(membership_id, int) else None
    membership = (
        Membership.objects.filter(organization_id=actor.organization_id or 0, pk=pk)
        .select_related("user")
        .first()
        if pk and actor.organization_id
        else None
    )
    if membership is None:
        raise NotFound(MEMBER_NOT_FOUND, field="membership")
    return membership


def token_list(*, actor: Actor, admin: bool) -> list[ApiToken]:
    """The organization's API tokens (an admin), or the member's own, newest first."""
    tokens = ApiToken.objects.filter(membership__organization_id=actor.organization_id or 0)
    if not admin:
        tokens = tokens.filter(membership_id=actor.membership_id or 0)
    return list(tokens.select_related("membership__user").order_by("-created_at", "-id"))


def access_token(*, actor: Actor, token_id: object, admin: bool) -> ApiToken:
    """One token the actor may manage; NotFound otherwise."""
    pk = token_id if isinstance(token_id, int) else 0
    tokens = ApiToken.objects.filter(membership__organization_id=actor.organization_id or 0, pk=pk)
    if not admin:
        tokens = tokens.filter(membership_id=actor.membership_id or 0)
    token = tokens.first() if pk and actor.organization_id else None
    if token is None:
        raise NotFound(TOKEN_NOT_FOUND, field="token")
    return token


def invitation_list(*, actor: Actor) -> list[Invitation]:
    """The organization's open invitations."""
    return list(Invitation.objects.open().filter(organization_id=actor.organization_id or 0))


def access_invitation(*, actor: Actor, invitation_id: object) -> Invitation:
    """One invitation of the actor's organization; NotFound otherwise."""
    pk = invitation_id if isinstance(invitation_id, int) else None
    invitation = (
        Invitation.objects.filter(organization_id=actor.organization_id or 0, pk=pk).first()
        if pk and actor.organization_id
        else None
    )
    if invitation is None:
        raise NotFound(INVITATION_NOT_FOUND, field="invitation")
    return invitation


# NGO statistics ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeCount:
    """How many notices of one category the organization sent in one month."""

    month: datetime
    category: str
    count: int


def notice_statistics(*, actor: Actor) -> list[NoticeCount]:
    """The organization's own moderation notices, counted per month and category, newest
    month first."""
    rows = (
        selectors.legal_request_list(actor=actor)
        .filter(kind=RequestKind.MODERATION_NOTICE)
        .order_by()
        .annotate(month=TruncMonth("submitted_at", tzinfo=UTC))
        .values("month", "category")
        .annotate(count=Count("id"))
        .order_by("-month", "category")
    )
    return [NoticeCount(row["month"], row["category"], row["count"]) for row in rows]
