"""Every read of the liaison app, scoped to the actor: another tenant's data is "not found"."""

from __future__ import annotations

import uuid

from django.db.models import Prefetch

from liaison.actors import Actor
from liaison.models import LegalRequest, LegalRequestQuerySet, Organization, Target, TimelineEntry


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
