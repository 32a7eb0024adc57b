"""Tenants, their legal requests, and the review, disclosure and audit records around them."""

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


class RejectionReason(models.TextChoices):
    """Why staff refused a request; shown to the authority with the decision."""

    AUTHORITY_NOT_VERIFIED = "AUTHORITY_NOT_VERIFIED", "Issuing authority could not be verified"
    AUTHORITY_NOT_COMPETENT = "AUTHORITY_NOT_COMPETENT", "Authority not competent for jurisdiction"
    LEGAL_BASIS_INVALID = "LEGAL_BASIS_INVALID", "Legal basis invalid or insufficient"
    DOCUMENT_INVALID = "DOCUMENT_INVALID", "Legal document missing, invalid or unsigned"
    TARGET_NOT_IDENTIFIED = "TARGET_NOT_IDENTIFIED", "Target accounts not identifiable"
    NO_RULE_VIOLATION = "NO_RULE_VIOLATION", "Targets did not break the platform's rules"
    DATA_NOT_MINIMISED = "DATA_NOT_MINIMISED", "Data beyond IP addresses and phone number"
    DISPROPORTIONATE = "DISPROPORTIONATE", "Request is not proportionate"
    CALLBACK_FAILED = "CALLBACK_FAILED", "Emergency callback did not confirm the request"
    SUSPECTED_FORGERY = "SUSPECTED_FORGERY", "Suspected forged or fraudulent request"
    OTHER = "OTHER", "Other (see note)"


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
    webhook_url = models.URLField(
        blank=True,
        max_length=500,
        help_text="Where status changes of this organization's requests are POSTed (optional).",
    )
    webhook_secret = models.CharField(
        max_length=128,
        blank=True,
        help_text="Shared secret for the X-Liaison-Signature HMAC-SHA256 of webhook bodies.",
    )
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
        DOCUMENT_ATTACHED = "DOCUMENT_ATTACHED", "Legal document attached"
        ANALYSIS_RECORDED = "ANALYSIS_RECORDED", "Legal analysis recorded"
        APPROVAL_RECORDED = "APPROVAL_RECORDED", "Approval recorded"
        CALLBACK_RECORDED = "CALLBACK_RECORDED", "Callback recorded"

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


# Review: legal analysis, four-eyes approvals, emergency callbacks ---------------------------------


class LegalAnalysis(models.Model):
    """The staff checklist of one request's legal analysis (one per request, updated in place;
    every change is in the audit log, and each approval keeps a snapshot of it)."""

    legal_request = models.OneToOneField(
        LegalRequest, on_delete=models.CASCADE, related_name="analysis"
    )
    authority_verified = models.BooleanField(
        default=False, help_text="Issuing authority verified and competent for the jurisdiction."
    )
    legal_basis_valid = models.BooleanField(
        default=False, help_text="Legal basis and attached legal document valid."
    )
    targets_identified = models.BooleanField(default=False, help_text="Targets identified.")
    rules_broken = models.BooleanField(
        default=False, help_text="Target accounts broke the platform's rules."
    )
    moderation_reference = models.CharField(
        max_length=200, blank=True, help_text="The moderation case that shows the rule breach."
    )
    data_minimised = models.BooleanField(
        default=False, help_text="Only IP addresses and phone number requested."
    )
    proportionate = models.BooleanField(default=False, help_text="The request is proportionate.")
    notes = models.TextField(blank=True)
    policy_version = models.CharField(max_length=40)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "legal analyses"

    def __str__(self) -> str:
        return f"Analysis of {self.legal_request_id}"


class Approval(models.Model):
    """One staff member's approval of a request. Disclosure needs two from different people."""

    legal_request = models.ForeignKey(
        LegalRequest, on_delete=models.PROTECT, related_name="approvals"
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    policy_version = models.CharField(max_length=40)
    checklist = models.JSONField(help_text="The checklist as it stood when approving.")
    note = models.TextField(blank=True)
    approved_at = models.DateTimeField(default=timezone.now)
    set_aside_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a clarification reopened the request: this approval no longer counts.",
    )

    class Meta:
        ordering = ["approved_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["legal_request", "approver"],
                condition=models.Q(set_aside_at__isnull=True),
                name="approval_one_active_per_approver",
            )
        ]

    def __str__(self) -> str:
        return f"{self.approver} approved {self.legal_request_id}"


class CallbackVerification(models.Model):
    """An out-of-band call to the organization's registered number, made before an emergency
    disclosure: the number comes from the portal's records, never from the request."""

    legal_request = models.ForeignKey(
        LegalRequest, on_delete=models.PROTECT, related_name="callbacks"
    )
    phone_called = models.CharField(max_length=32)
    officer_name = models.CharField(max_length=200)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    called_at = models.DateTimeField(default=timezone.now)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["called_at", "id"]

    def __str__(self) -> str:
        return f"Callback to {self.phone_called} ({self.officer_name})"


# Legal documents -----------------------------------------------------------------------------


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

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.sha256[:12]}…)"


# Subscriber records (the default backend's store) ----------------------------------------------


class PlatformAccount(models.Model):
    """A platform account as the default subscriber-records backend knows it."""

    user_id = models.BigIntegerField(unique=True)
    username = models.CharField(max_length=40, unique=True, null=True, blank=True)
    phone_number = models.CharField(max_length=32, blank=True)

    def __str__(self) -> str:
        return f"{self.username or self.user_id}"


class LoginEvent(models.Model):
    """An IP address an account was seen from, and when."""

    account = models.ForeignKey(PlatformAccount, on_delete=models.CASCADE, related_name="logins")
    ip_address = models.GenericIPAddressField()
    seen_at = models.DateTimeField()

    class Meta:
        ordering = ["seen_at", "id"]
        indexes = [models.Index(fields=["account", "seen_at"], name="login_account_seen_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "ip_address", "seen_at"], name="login_event_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ip_address} at {self.seen_at:%Y-%m-%d %H:%M}"


# Disclosure ----------------------------------------------------------------------------------


class DisclosurePackageQuerySet(models.QuerySet["DisclosurePackage"]):
    """Reusable filters for disclosure packages."""

    def visible_to(self, actor: Actor | None) -> DisclosurePackageQuerySet:
        """Packages of the actor's organization only: staff do not read them through the API."""
        if actor is None or actor.organization_id is None:
            return self.none()
        return self.filter(legal_request__organization_id=actor.organization_id)

    def unexpired(self) -> DisclosurePackageQuerySet:
        return self.filter(expires_at__gt=timezone.now())


class DisclosurePackage(models.Model):
    """The data produced for a fulfilled disclosure: per target, phone number and IP addresses in
    the requested period, signed with the deployment's Ed25519 key, readable until it expires."""

    legal_request = models.OneToOneField(
        LegalRequest, on_delete=models.PROTECT, related_name="disclosure_package"
    )
    records = models.JSONField(help_text="Exactly what was signed (see liaison.signing).")
    signature = models.CharField(max_length=100, help_text="Ed25519, base64.")
    key_id = models.CharField(max_length=64, help_text="Fingerprint of the signing key.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    objects = DisclosurePackageQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Package for {self.legal_request_id}"


# Notifications -------------------------------------------------------------------------------


class WebhookDelivery(models.Model):
    """One webhook notice to an organization and its series of delivery attempts."""

    class State(models.TextChoices):
        PENDING = "PENDING", "Pending"
        DELIVERED = "DELIVERED", "Delivered"
        DEAD = "DEAD", "Dead-lettered"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    legal_request = models.ForeignKey(
        LegalRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    event = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    body = models.TextField(help_text="The exact JSON body sent (and signed).")
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    dead_lettered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(
                fields=["created_at"],
                name="webhook_pending_idx",
                condition=models.Q(state="PENDING"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.organization.slug} ({self.state})"


# Audit log -----------------------------------------------------------------------------------


class AuditEntry(models.Model):
    """One line of the append-only, hash-chained audit log: who did or saw what, and when.

    `hash` is SHA-256 over a canonical serialization that includes `prev_hash` (see
    liaison.audit), so editing or deleting any entry breaks the chain (`manage.py audit_verify`).
    Actor and organization are plain ids, not foreign keys, so that no cascade ever rewrites a
    line; a database trigger refuses UPDATE and DELETE (migration 0003).
    """

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=200)
    organization_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64, db_index=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"
