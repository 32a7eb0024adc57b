"""Tenants (organizations, members, API tokens) and the legal requests they send."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone

if TYPE_CHECKING:
    from liaison.actors import Actor


class OrganizationKind(models.TextChoices):
    """Who an organization is: a public authority or a non-governmental organization."""

    AUTHORITY = "AUTHORITY", "Authority"
    NGO = "NGO", "NGO"


class RequestKind(models.TextChoices):
    """What a legal request asks the platform to do."""

    DATA_DISCLOSURE = "DATA_DISCLOSURE", "Data disclosure"
    EMERGENCY_DISCLOSURE = "EMERGENCY_DISCLOSURE", "Emergency disclosure"
    PRESERVATION = "PRESERVATION", "Preservation"
    CONTENT_REMOVAL = "CONTENT_REMOVAL", "Content removal"
    MODERATION_NOTICE = "MODERATION_NOTICE", "Moderation notice"


class RequestCategory(models.TextChoices):
    """The kind of harm a request is about."""

    TERRORISM = "TERRORISM", "Terrorism"
    CHILD_SAFETY = "CHILD_SAFETY", "Child safety"
    ILLEGAL_GOODS = "ILLEGAL_GOODS", "Illegal goods"
    FRAUD = "FRAUD", "Fraud"
    VIOLENCE = "VIOLENCE", "Violence"
    OTHER = "OTHER", "Other"


class RequestStatus(models.TextChoices):
    """Where a legal request stands in its life."""

    RECEIVED = "RECEIVED", "Received"
    ROUTED = "ROUTED", "Routed"
    UNDER_REVIEW = "UNDER_REVIEW", "Under review"
    NEEDS_INFO = "NEEDS_INFO", "Needs information"
    APPROVED = "APPROVED", "Approved"
    REJECTED = "REJECTED", "Rejected"
    FULFILLED = "FULFILLED", "Fulfilled"
    WITHDRAWN = "WITHDRAWN", "Withdrawn"


class TargetKind(models.TextChoices):
    """How a target account or piece of content is identified."""

    USERNAME = "USERNAME", "Username"
    USER_ID = "USER_ID", "User id"
    PHONE_NUMBER = "PHONE_NUMBER", "Phone number"
    CHANNEL = "CHANNEL", "Channel"
    MESSAGE_LINK = "MESSAGE_LINK", "Message link"


class DataCategory(models.TextChoices):
    """The only categories of user data the platform discloses (data minimisation)."""

    IP_ADDRESSES = "IP_ADDRESSES", "IP addresses"
    PHONE_NUMBER = "PHONE_NUMBER", "Phone number"


class Organization(models.Model):
    """An authority or NGO: the tenant. Everything it sends and reads is scoped to it."""

    class Verification(models.TextChoices):
        PENDING = "PENDING", "Pending"
        VERIFIED = "VERIFIED", "Verified"
        SUSPENDED = "SUSPENDED", "Suspended"

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=OrganizationKind.choices)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    verification = models.CharField(
        max_length=20, choices=Verification.choices, default=Verification.PENDING
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    callback_phone = models.CharField(
        max_length=32,
        blank=True,
        help_text="Registered number (E.164) staff call back before an emergency disclosure.",
    )
    contact_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"

    @property
    def is_verified(self) -> bool:
        return self.verification == self.Verification.VERIFIED


class Membership(models.Model):
    """A person (Django user) acting for an organization."""

    class Role(models.TextChoices):
        MEMBER = "MEMBER", "Member"
        ADMIN = "ADMIN", "Administrator"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="membership_unique_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization.slug}"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    """Reusable filters for API tokens."""

    def usable(self) -> ApiTokenQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now, membership__is_active=True)


class ApiToken(models.Model):
    """A bearer token of one member: shown once, stored as a SHA-256 hash, found by its prefix."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="tokens")
    prefix = models.CharField(max_length=8, unique=True)
    token_hash = models.CharField(max_length=64)
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return f"lp_{self.prefix}_… ({self.membership})"


class LegalRequestQuerySet(models.QuerySet["LegalRequest"]):
    """Reusable filters for legal requests."""

    def visible_to(self, actor: Actor | None) -> LegalRequestQuerySet:
        """The requests this actor may see: its organization's, all for staff, none otherwise."""
        if actor is None:
            return self.none()
        if actor.organization_id is not None:
            return self.filter(organization_id=actor.organization_id)
        if actor.is_staff:
            return self
        return self.none()


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
    reference = models.CharField(max_length=120, help_text="The authority's own file number.")
    legal_basis = models.CharField(max_length=300)
    jurisdiction = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    summary = models.TextField()
    data_categories = ArrayField(
        models.CharField(max_length=20, choices=DataCategory.choices), default=list, blank=True
    )
    # NULL (not "") when absent, so that the per-organization unique constraint ignores it.
    idempotency_key = models.CharField(max_length=128, null=True, blank=True)  # noqa: DJ001
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)
    due_at = models.DateTimeField(null=True, blank=True)
    handling_desk = models.CharField(
        max_length=120, blank=True, help_text="Public name of the desk that handles the request."
    )
    routed_at = models.DateTimeField(null=True, blank=True)

    objects = LegalRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
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

    class Meta:
        ordering = ["at", "id"]
        verbose_name_plural = "timeline entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.event}"
