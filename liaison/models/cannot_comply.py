"""A staff answer that a request cannot be executed, on one of the grounds of the e-Evidence
Regulation's Annex III form (Reg. (EU) 2023/1543), and how the authority answered it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_noop

from liaison.models.requests import LegalRequest
from liaison.models.tenants import TenantQuerySet


class CannotComplyGround(models.TextChoices):
    """The grounds of Annex III on which an order cannot be executed."""

    INCOMPLETE = "INCOMPLETE", gettext_noop("The order is incomplete")
    MANIFEST_ERRORS = "MANIFEST_ERRORS", gettext_noop("The order contains manifest errors")
    INSUFFICIENT_INFORMATION = (
        "INSUFFICIENT_INFORMATION",
        gettext_noop("The order does not contain sufficient information to execute it"),
    )
    DATA_NOT_STORED = "DATA_NOT_STORED", gettext_noop("The data requested is not stored")
    DE_FACTO_IMPOSSIBILITY = (
        "DE_FACTO_IMPOSSIBILITY",
        gettext_noop("De facto impossibility, for reasons not attributable to the provider"),
    )
    NOT_COMPETENT_AUTHORITY = (
        "NOT_COMPETENT_AUTHORITY",
        gettext_noop("The order was not issued or validated by a competent authority"),
    )
    CONFLICTING_THIRD_COUNTRY_OBLIGATIONS = (
        "CONFLICTING_THIRD_COUNTRY_OBLIGATIONS",
        gettext_noop("Complying would conflict with the applicable law of a third country"),
    )


class CannotComplyNoticeQuerySet(TenantQuerySet["CannotComplyNotice"]):
    """Notices belong to their request's organization (it sees the ground it was given)."""

    tenant_field = "legal_request__organization_id"


class CannotComplyNotice(models.Model):
    """Staff told the authority that its request cannot be executed, on an Annex III ground,
    with an explanation; the request waits (NEEDS_INFO, the clock paused) until the authority
    corrects it (which resumes it) or withdraws it."""

    class Resolution(models.TextChoices):
        CORRECTED = "CORRECTED", gettext_noop("Corrected by the authority")
        WITHDRAWN = "WITHDRAWN", gettext_noop("Withdrawn by the authority")

    legal_request = models.ForeignKey(
        LegalRequest, on_delete=models.CASCADE, related_name="cannot_comply_notices"
    )
    ground = models.CharField(max_length=40, choices=CannotComplyGround.choices)
    explanation = models.TextField()
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    correction = models.TextField(blank=True, help_text="The authority's correction.")

    objects = CannotComplyNoticeQuerySet.as_manager()

    class Meta:
        ordering = ["raised_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["legal_request"],
                condition=models.Q(resolved_at__isnull=True),
                name="cannot_comply_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"Cannot comply ({self.ground}) with {self.legal_request_id}"
