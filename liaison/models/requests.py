"""Legal requests, their targets and their timeline."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone

from liaison.models.enums import (
    DataCategory,
    LegalInstrument,
    RejectionReason,
    RequestCategory,
    RequestKind,
    RequestOrigin,
    RequestStatus,
    TargetKind,
)
from liaison.models.tenants import Organization, TenantQuerySet


class LegalRequestQuerySet(TenantQuerySet["LegalRequest"]):
    """Reusable filters for legal requests; `visible_to`: its organization's, all for staff."""


class TargetQuerySet(TenantQuerySet["Target"]):
    """Targets belong to their request's organization."""

    tenant_field = "legal_request__organization_id"


class TimelineEntryQuerySet(TenantQuerySet["TimelineEntry"]):
    """Timeline entries belong to their request's organization."""

    tenant_field = "legal_request__organization_id"


class LegalRequest(models.Model):
    """A request from an authority or NGO: disclose, preserve, remove, or act on a notice."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="legal_requests"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="legal_requests"
    )
    kind = models.CharField(max_length=32, choices=RequestKind.choices)
    category = models.CharField(max_length=32, choices=RequestCategory.choices)
    status = models.CharField(
        max_length=20, choices=RequestStatus.choices, default=RequestStatus.RECEIVED, db_index=True
    )
    origin = models.CharField(
        max_length=16,
        choices=RequestOrigin.choices,
        default=RequestOrigin.API,
        help_text="Where it came in: the API, or an urgent message on the hotline.",
    )
    reference = models.CharField(max_length=120, help_text="The authority's own file number.")
    legal_basis = models.CharField(max_length=300)
    jurisdiction = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    summary = models.TextField()
    data_categories = ArrayField(
        models.CharField(max_length=20, choices=DataCategory.choices), default=list, blank=True
    )
    # NULL (not "") when absent, so that the per-organization unique constraint ignores it.
    idempotency_key = models.CharField(max_length=128, null=True, blank=True)  # noqa: DJ001
    idempotency_fingerprint = models.CharField(
        max_length=64,
        blank=True,
        default="",
        editable=False,
        help_text=(
            "SHA-256 of the canonical input the idempotency key came with: the same key with "
            "another input is a conflict, not this request."
        ),
    )
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)
    due_at = models.DateTimeField(null=True, blank=True)
    handling_desk = models.CharField(
        max_length=120, blank=True, help_text="Public name of the desk that handles the request."
    )
    routed_at = models.DateTimeField(null=True, blank=True)
    instrument = models.CharField(
        max_length=32,
        choices=LegalInstrument.choices,
        blank=True,
        help_text="The legal instrument (named by the authority, or inferred at intake).",
    )
    instrument_inferred = models.BooleanField(
        default=False, help_text="True when intake inferred the instrument from kind and country."
    )
    policy_revision = models.CharField(
        max_length=40,
        blank=True,
        help_text="Revision of the routing policy the desk and deadline were decided from.",
    )
    routing_decision = models.JSONField(
        default=dict,
        blank=True,
        help_text="The desk and deadline decided at intake, as the routing honours them.",
    )
    period_start = models.DateTimeField(
        null=True, blank=True, help_text="Start of the period the requested data covers."
    )
    period_end = models.DateTimeField(
        null=True, blank=True, help_text="End of the period the requested data covers."
    )
    clock_paused_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set while the request waits for the authority (NEEDS_INFO): the clock stops.",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    review_policy_version = models.CharField(
        max_length=40, blank=True, help_text="Version of the review policy the decision applied."
    )
    rejection_reason = models.CharField(max_length=40, choices=RejectionReason.choices, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)

    objects = LegalRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        # Granted through the staff groups of liaison.permissions (checked in the services).
        permissions = [
            (
                "review_legalrequest",
                "Can review legal requests (start, analysis, clarification, approve, reject)",
            ),
            ("fulfil_legalrequest", "Can fulfil approved legal requests (disclosure packages)"),
            ("record_callback", "Can record the callback of an emergency request"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="legal_request_idempotency_per_org",
            )
        ]
        indexes = [
            models.Index(fields=["organization", "-submitted_at"], name="request_org_newest_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference} ({self.organization.slug})"


class Target(models.Model):
    """An account, channel or message a request is about, stored in canonical form."""

    legal_request = models.ForeignKey(
        LegalRequest, on_delete=models.CASCADE, related_name="targets"
    )
    kind = models.CharField(max_length=20, choices=TargetKind.choices)
    value = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    objects = TargetQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.value}"


class TimelineEntry(models.Model):
    """One thing that happened to a request: who did it, when, and the status it left behind."""

    class Event(models.TextChoices):
        SUBMITTED = "SUBMITTED", "Submitted"
        ROUTED = "ROUTED", "Routed"
        STATUS_CHANGED = "STATUS_CHANGED", "Status changed"
        ACKNOWLEDGED = "ACKNOWLEDGED", "Acknowledged"
        ESCALATED = "ESCALATED", "Escalated"
        BREACH_WARNING = "BREACH_WARNING", "Deadline warning"
        BREACHED = "BREACHED", "Deadline breached"
        NOTE = "NOTE", "Note"
        DOCUMENT_ATTACHED = "DOCUMENT_ATTACHED", "Legal document attached"
        ANALYSIS_RECORDED = "ANALYSIS_RECORDED", "Legal analysis recorded"
        APPROVAL_RECORDED = "APPROVAL_RECORDED", "Approval recorded"
        CALLBACK_RECORDED = "CALLBACK_RECORDED", "Callback recorded"
        VERIFICATION = "VERIFICATION", "Verification"

    legal_request = models.ForeignKey(
        LegalRequest, on_delete=models.CASCADE, related_name="timeline"
    )
    event = models.CharField(max_length=32, choices=Event.choices)
    status = models.CharField(max_length=20, choices=RequestStatus.choices)
    actor_label = models.CharField(
        max_length=200, help_text="Who acted, as shown to the authority."
    )
    message = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)
    public = models.BooleanField(default=True, help_text="Shown to the requesting organization.")

    objects = TimelineEntryQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name_plural = "timeline entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.event}"
