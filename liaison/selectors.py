"""Every read of the liaison app, scoped to the actor: another tenant's data is "not found"."""

from __future__ import annotations

import uuid

from django.db.models import Prefetch, QuerySet

from core.actors import Actor
from liaison.models import (
    LegalDocument,
    LegalRequest,
    LegalRequestQuerySet,
    Organization,
    Target,
    TimelineEntry,
)


def legal_request_list(*, actor: Actor | None) -> LegalRequestQuerySet:
    """The actor's visible requests, newest first."""
    return LegalRequest.objects.visible_to(actor).order_by("-submitted_at", "-id")


def legal_request_get(*, actor: Actor | None, legal_request_id: object) -> LegalRequest | None:
    """One request if the actor may see it; None when it is missing or belongs to someone else."""
    try:
        pk = uuid.UUID(str(legal_request_id))
    except ValueError:
        return None
    return legal_request_list(actor=actor).filter(pk=pk).first()


def legal_request_list_for_export(*, actor: Actor | None) -> LegalRequestQuerySet:
    """Visible requests with the relations the API shows, in a constant number of queries."""
    return legal_request_list(actor=actor).prefetch_related(
        Prefetch("targets", queryset=Target.objects.order_by("position", "id")),
        Prefetch(
            "timeline", queryset=TimelineEntry.objects.filter(public=True).order_by("at", "id")
        ),
    )


def organization_get_by_slug(*, slug: str) -> Organization | None:
    """An organization by its slug (used by the command line, not by tenants)."""
    return Organization.objects.filter(slug=slug).first()


def legal_document_list(*, actor: Actor | None) -> QuerySet[LegalDocument]:
    """Documents the actor may read: its organization's own uploads, or all for staff."""
    documents = LegalDocument.objects.select_related("legal_request")
    if actor is None:
        return documents.none()
    if actor.organization_id is not None:
        return documents.filter(
            organization_id=actor.organization_id,
            legal_request__organization_id=actor.organization_id,
        )
    return documents if actor.is_staff else documents.none()


def legal_document_get(*, actor: Actor | None, document_id: object) -> LegalDocument | None:
    """One document if the actor may read it; None when missing or someone else's."""
    try:
        pk = uuid.UUID(str(document_id))
    except ValueError:
        return None
    return legal_document_list(actor=actor).filter(pk=pk).first()
