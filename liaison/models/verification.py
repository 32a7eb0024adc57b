"""What intake checks rely on and what it found: the fraud signals of each request (and its
hold for verification), the addresses each token was seen from, the pre-flight of targets, and
the callback-number changes that wait for a second staff member."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self, TypeVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from liaison.models.requests import LegalRequest
from liaison.models.review import CallbackVerification
from liaison.models.tenants import ApiToken, Organization, TenantQuerySet

if TYPE_CHECKING:
    from core.actors import Actor


_M = TypeVar("_M", bound=models.Model)


class StaffOnlyQuerySet(TenantQuerySet[_M]):
    """Rows only platform staff see: what they say would help a forger (which signals fired,
    what the platform holds) is never shown to the organization, not even its own."""

    tenant_field = "legal_request__organization_id"

    def visible_to(self, actor: Actor | None) -> Self:
        """Staff see all; members of organizations, and anyone else, see none."""
        if actor is not None and actor.is_platform_staff:
            return self.all()
        return self.none()


class IntakeAssessmentQuerySet(StaffOnlyQuerySet["IntakeAssessment"]):
    """Intake assessments: staff only."""


class TargetPreflightQuerySet(StaffOnlyQuerySet["TargetPreflight"]):
    """Pre-flight answers: staff only."""


class IntakeAssessment(models.Model):
    """The fraud signals computed for one request at intake, their score, and the hold.

    A hold is not a status: the request moves through its lifecycle and is routed as usual, but
    no data leaves it (no package, no fulfilment, no read) until a callback to the organization's
    registered number is recorded (`verified_by_callback`)."""

    legal_request = models.OneToOneField(
        LegalRequest, on_delete=models.CASCADE, related_name="intake_assessment"
    )
    score = models.PositiveIntegerField(default=0)
    threshold = models.PositiveIntegerField(help_text="The hold threshold in force at intake.")
    signals = models.JSONField(
        default=list, blank=True, help_text="The signals that fired: [{code, weight, detail}]."
    )
    held = models.BooleanField(default=False, db_index=True)
    source_address = models.GenericIPAddressField(null=True, blank=True)
    assessed_at = models.DateTimeField(default=timezone.now)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by_callback = models.OneToOneField(
        CallbackVerification,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="released_assessment",
    )

    objects = IntakeAssessmentQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["assessed_at"],
                condition=models.Q(held=True, verified_at__isnull=True),
                name="assessment_holding_idx",
            )
        ]

    def __str__(self) -> str:
        return f"Intake assessment of {self.legal_request_id}: {self.score}"

    @property
    def holding(self) -> bool:
        """Held and not yet verified: no data may leave the request."""
        return self.held and self.verified_at is None


class TokenSourceAddress(models.Model):
    """An address an API token submitted from: a request from an address never seen for its
    token is a signal."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="seen_addresses")
    address = models.GenericIPAddressField()
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "address"], name="token_address_unique")
        ]

    def __str__(self) -> str:
        return f"{self.address} for token {self.token_id}"


class TargetPreflight(models.Model):
    """Whether the platform holds an account for one target, asked when the request is routed:
    a yes or no from the subscriber-records adapter, never the data itself."""

    legal_request = models.ForeignKey(
        LegalRequest, on_delete=models.CASCADE, related_name="preflights"
    )
    target_kind = models.CharField(max_length=20)
    target_value = models.CharField(max_length=300)
    exists = models.BooleanField()
    checked_at = models.DateTimeField(default=timezone.now)

    objects = TargetPreflightQuerySet.as_manager()

    class Meta:
        ordering = ["legal_request", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["legal_request", "target_kind", "target_value"],
                name="preflight_once_per_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.target_kind} {self.target_value}: {'found' if self.exists else 'none'}"


class CallbackNumberChange(models.Model):
    """A change of an organization's registered callback number: it takes effect only when a
    second staff member (not the one who asked) approves it."""

    class State(models.TextChoices):
        PENDING = "PENDING", "Pending approval"
        APPROVED = "APPROVED", "Approved"
        REJECTED = "REJECTED", "Rejected"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="callback_number_changes"
    )
    old_phone = models.CharField(max_length=32, blank=True)
    new_phone = models.CharField(max_length=32, help_text="E.164")
    reason = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(state="PENDING"),
                name="callback_change_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} → {self.new_phone} ({self.state})"


class NoDataDecision(models.Model):
    """Staff's explicit decision that the platform holds no data for a disclosure request's
    targets: the request is fulfilled without a package, and the authority is told so (instead
    of receiving an empty signed file)."""

    legal_request = models.OneToOneField(
        LegalRequest, on_delete=models.CASCADE, related_name="no_data_decision"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"No data held for {self.legal_request_id}"


class ContentRemoval(models.Model):
    """A piece of content the platform removed on a terrorist-content removal order (Reg. (EU)
    2021/784): recorded once, so a second order for the same content is answered without a
    second execution (as Europol's PERCI deconflicts them)."""

    target_kind = models.CharField(max_length=20)
    target_value = models.CharField(max_length=300)
    removed_at = models.DateTimeField(default=timezone.now)
    legal_request = models.ForeignKey(
        LegalRequest, on_delete=models.PROTECT, related_name="content_removals"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["target_kind", "target_value"], name="content_removed_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.target_value} removed {self.removed_at:%Y-%m-%d %H:%M}"
