"""What the console stores of its own: requests for access (the evidence staff check), the calls
that verified them, and the one-time invitations of members."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from liaison.models import Membership, Organization


class AccessRequest(models.Model):
    """A public request for access: the pending organization it created and the evidence staff
    need to verify it independently (official domain, registry or agency identifier, and a
    switchboard number from a public directory). Nothing here verifies anyone by itself: only a
    confirmed call to an independently sourced number (`VerificationCall`) does."""

    class State(models.TextChoices):
        PENDING = "PENDING", "Pending"
        VERIFIED = "VERIFIED", "Verified"
        REJECTED = "REJECTED", "Rejected"

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="access_request"
    )
    applicant_name = models.CharField(max_length=200)
    applicant_email = models.EmailField()
    applicant_role = models.CharField(max_length=200, help_text="Job title or function.")
    official_domain = models.CharField(
        max_length=253, help_text="The organization's official internet domain (e.g. bka.de)."
    )
    registry_identifier = models.CharField(
        max_length=200,
        help_text="Registry or agency identifier (e.g. ORI, company or charity number).",
    )
    switchboard_phone = models.CharField(
        max_length=32, help_text="The switchboard number as the applicant gave it (E.164)."
    )
    directory_source = models.CharField(
        max_length=500, help_text="The public directory where that number is published."
    )
    notes = models.TextField(blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Access request of {self.organization.name} ({self.state})"


class VerificationCall(models.Model):
    """A call platform staff made to an applicant organization's switchboard, at a number they
    sourced themselves, and whether the organization confirmed the applicant."""

    access_request = models.ForeignKey(
        AccessRequest, on_delete=models.CASCADE, related_name="calls"
    )
    dialled_number = models.CharField(max_length=32, help_text="E.164")
    number_source = models.CharField(
        max_length=500, help_text="Where staff found the number (not the application)."
    )
    person_reached = models.CharField(max_length=200)
    confirmed = models.BooleanField()
    notes = models.TextField(blank=True)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    called_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-called_at", "-id"]

    def __str__(self) -> str:
        outcome = "confirmed" if self.confirmed else "not confirmed"
        return f"Call to {self.dialled_number} ({outcome})"


class InvitationQuerySet(models.QuerySet["Invitation"]):
    """Reusable filters for invitations."""

    def open(self) -> InvitationQuerySet:
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """A one-time link, sent by e-mail, that lets a person join an organization with a role.
    Only its SHA-256 is stored; it works once, until it expires."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(
        max_length=20, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.organization.slug}"
