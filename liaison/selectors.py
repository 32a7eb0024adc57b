"""Every read of the liaison app, scoped to the actor: another tenant's data is "not found".

`access_<thing>(actor=..., <thing>_id=...)` (Zulip's access_*_by_id) looks an object up inside
the actor's tenant and raises the one `NotFound` of its kind, with the same message for a
missing object, another organization's, and an id that does not even parse. The `*_get`
variants answer None instead, for the callers whose answer to all of these is null.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Prefetch

from core.actors import Actor
from core.errors import NotFound
from liaison.models import (
    DisclosurePackage,
    LegalDocument,
    LegalDocumentQuerySet,
    LegalRequest,
    LegalRequestQuerySet,
    Membership,
    Organization,
    Target,
    TimelineEntry,
)

LEGAL_REQUEST_NOT_FOUND = "No legal request with this id."
LEGAL_DOCUMENT_NOT_FOUND = "No legal document with this id."
DISCLOSURE_PACKAGE_NOT_FOUND = "No disclosure package for this request."


def _uuid_or_none(value: object) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


# Legal requests --------------------------------------------------------------------------------


def legal_request_list(*, actor: Actor | None) -> LegalRequestQuerySet:
    """The actor's visible requests, newest first."""
    return LegalRequest.objects.visible_to(actor).order_by("-submitted_at", "-id")


def access_legal_request(
    *, actor: Actor | None, legal_request_id: object, field: str | None = "id"
) -> LegalRequest:
    """One request the actor may see; NotFound (on `field`) when it is missing, someone
    else's, or the id is no UUID."""
    pk = _uuid_or_none(legal_request_id)
    legal_request = legal_request_list(actor=actor).filter(pk=pk).first() if pk else None
    if legal_request is None:
        raise NotFound(LEGAL_REQUEST_NOT_FOUND, field=field)
    return legal_request


def legal_request_get(*, actor: Actor | None, legal_request_id: object) -> LegalRequest | None:
    """One request if the actor may see it; None when it is missing or belongs to someone else."""
    try:
        return access_legal_request(actor=actor, legal_request_id=legal_request_id)
    except NotFound:
        return None


def legal_request_list_for_export(*, actor: Actor | None) -> LegalRequestQuerySet:
    """Visible requests with the relations the API shows, in a constant number of queries."""
    return (
        legal_request_list(actor=actor)
        .prefetch_related(Prefetch("targets", queryset=Target.objects.order_by("position", "id")))
        .prefetch_related(
            Prefetch(
                "timeline",
                queryset=TimelineEntry.objects.filter(public=True).order_by("at", "id"),
            )
        )
    )


# Organizations ---------------------------------------------------------------------------------


def membership_for_user(*, user: Any) -> Membership | None:
    """The active membership of an active, signed-in user (the oldest if several): whom a
    browser session acts for outside the console (the API explorer)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return (
        Membership.objects.select_related("organization")
        .filter(user_id=user.pk, is_active=True)
        .order_by("created_at", "pk")
        .first()
    )


def organization_get_by_slug(*, slug: str) -> Organization | None:
    """An organization by its slug (used by the command line, not by tenants)."""
    return Organization.objects.filter(slug=slug).first()


# Legal documents -------------------------------------------------------------------------------


def legal_document_list(*, actor: Actor | None) -> LegalDocumentQuerySet:
    """Documents the actor may read: its organization's own uploads, or all for staff."""
    return LegalDocument.objects.visible_to(actor).select_related("legal_request")


def access_legal_document(
    *, actor: Actor | None, document_id: object, field: str | None = "id"
) -> LegalDocument:
    """One document the actor may read; NotFound when it is missing or someone else's."""
    pk = _uuid_or_none(document_id)
    document = legal_document_list(actor=actor).filter(pk=pk).first() if pk else None
    if document is None:
        raise NotFound(LEGAL_DOCUMENT_NOT_FOUND, field=field)
    return document


def legal_document_get(*, actor: Actor | None, document_id: object) -> LegalDocument | None:
    """One document if the actor may read it; None when missing or someone else's."""
    try:
        return access_legal_document(actor=actor, document_id=document_id)
    except NotFound:
        return None


# Disclosure packages ---------------------------------------------------------------------------


def access_disclosure_package(
    *, actor: Actor | None, legal_request_id: object, field: str | None = "requestId"
) -> DisclosurePackage:
    """The unexpired package of one of the actor's organization's requests, with its request;
    NotFound when there is none, it expired, or the request is someone else's (staff read
    packages in admin, never through the API)."""
    pk = _uuid_or_none(legal_request_id)
    package = (
        DisclosurePackage.objects.visible_to(actor)
        .unexpired()
        .select_related("legal_request")
        .filter(legal_request_id=pk)
        .first()
        if pk
        else None
    )
    if package is None:
        raise NotFound(DISCLOSURE_PACKAGE_NOT_FOUND, field=field)
    return package
