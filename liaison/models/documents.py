"""Legal documents (signed orders) attached to requests."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.db import models
from django.utils import timezone

from liaison.models.requests import LegalRequest
from liaison.models.tenants import Organization, TenantQuerySet

if TYPE_CHECKING:
    from core.actors import Actor


class LegalDocumentQuerySet(TenantQuerySet["LegalDocument"]):
    """A document is its uploading organization's, and only while it is attached to one of that
    organization's own requests (both ids are checked, so a row that disagrees stays hidden)."""

    def visible_to(self, actor: Actor | None) -> Self:
        documents = super().visible_to(actor)
        if actor is not None and actor.organization_id is not None:
            documents = documents.filter(legal_request__organization_id=actor.organization_id)
        return documents


def legal_document_path(instance: LegalDocument, filename: str) -> str:
    """A random storage name: nothing of the uploader's file name reaches the file system."""
    return f"legal-documents/{uuid.uuid4().hex}.pdf"


class LegalDocument(models.Model):
    """A signed order (PDF) an organization attached to its request. Stored under MEDIA_ROOT with
    a random name, never served directly: only through an authorized, audited view."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    legal_request = models.ForeignKey(
        LegalRequest, on_delete=models.PROTECT, related_name="documents"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(upload_to=legal_document_path, max_length=200)
    filename = models.CharField(max_length=200, help_text="The name the uploader gave it.")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = LegalDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.sha256[:12]}…)"
