"""The review records: legal analysis, four-eyes approvals, emergency callbacks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from liaison.models.requests import LegalRequest
from liaison.review_policy import current_policy


def _asserts(check: str) -> str:
    """The help text of a checklist field: what the review policy says it asserts."""
    return f"{current_policy().label(check)}."


class LegalAnalysis(models.Model):
    """The staff checklist of one request's legal analysis (one per request, updated in place;
    every change is in the audit log, and each approval keeps a snapshot of it)."""

    legal_request = models.OneToOneField(
        LegalRequest, on_delete=models.CASCADE, related_name="analysis"
    )
    authority_verified = models.BooleanField(
        default=False, help_text=_asserts("authority_verified")
    )
    legal_basis_valid = models.BooleanField(default=False, help_text=_asserts("legal_basis_valid"))
    targets_identified = models.BooleanField(
        default=False, help_text=_asserts("targets_identified")
    )
    rules_broken = models.BooleanField(default=False, help_text=_asserts("rules_broken"))
    moderation_reference = models.CharField(
        max_length=200, blank=True, help_text="The moderation case that shows the rule breach."
    )
    data_minimised = models.BooleanField(default=False, help_text=_asserts("data_minimised"))
    proportionate = models.BooleanField(default=False, help_text=_asserts("proportionate"))
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
