"""Preservations: the recorded act of keeping a request's data, and until when."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from liaison.models.enums import LegalInstrument
from liaison.models.requests import LegalRequest
from liaison.models.tenants import TenantQuerySet


class PreservationQuerySet(TenantQuerySet["Preservation"]):
    """A preservation belongs to its request's organization."""

    tenant_field = "legal_request__organization_id"

    def active(self) -> PreservationQuerySet:
        """Preservations whose data is still kept."""
        return self.filter(ended_at__isnull=True)


class Preservation(models.Model):
    """The data of a request's targets kept for the authority: when it was preserved, until when
    (the instrument's retention, plus its one extension), and when it ended. A later production
    request that names it (`production_request`) keeps it beyond `preserved_until` until that
    request is answered."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    legal_request = models.OneToOneField(
        LegalRequest, on_delete=models.PROTECT, related_name="preservation"
    )
    instrument = models.CharField(max_length=32, choices=LegalInstrument.choices)
    preserved_at = models.DateTimeField(default=timezone.now)
    preserved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    preserved_until = models.DateTimeField(db_index=True)
    extensions = models.PositiveSmallIntegerField(
        default=0, help_text="How many times the authority extended it (the law allows one)."
    )
    extended_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the authority was reminded of the coming expiry."
    )
    production_request = models.ForeignKey(
        LegalRequest,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="held_preservations",
        help_text="The later production request that names this preservation: the data is "
        "kept until it is answered.",
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = PreservationQuerySet.as_manager()

    class Meta:
        ordering = ["preserved_until", "id"]
        indexes = [
            models.Index(
                fields=["preserved_until"],
                name="preservation_active_idx",
                condition=models.Q(ended_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"Preservation of {self.legal_request_id} until {self.preserved_until:%Y-%m-%d}"
