"""Telling users about requests for their data: the authority's non-disclosure orders, and the
notices staff owe the users once no legal prohibition applies."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from liaison.models.requests import LegalRequest
from liaison.models.tenants import TenantQuerySet


class NonDisclosureOrderQuerySet(TenantQuerySet["NonDisclosureOrder"]):
    """Orders belong to their request's organization."""

    tenant_field = "legal_request__organization_id"


class NonDisclosureOrder(models.Model):
    """An authority's order that the platform must not tell the user about its request until a
    date (e.g. 18 U.S.C. 2705(b), Art. 11 of Reg. (EU) 2023/1543): the user is told only after
    it lapses. The authority is reminded before it lapses and may extend it."""

    legal_request = models.OneToOneField(
        LegalRequest, on_delete=models.CASCADE, related_name="non_disclosure_order"
    )
    legal_basis = models.CharField(max_length=300)
    until = models.DateTimeField(help_text="The user may not be told before this time.")
    attached_at = models.DateTimeField(default=timezone.now)
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    extended_at = models.DateTimeField(null=True, blank=True)
    extensions = models.JSONField(
        default=list, blank=True, help_text="Each extension: {from, to, at, legal_basis}."
    )
    reminded_for_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The `until` the authority was last reminded of (once per date).",
    )

    objects = NonDisclosureOrderQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Non-disclosure of {self.legal_request_id} until {self.until:%Y-%m-%d}"


class UserNotice(models.Model):
    """A notice the platform owes the user a request was about: listed when it falls due (the
    request is fulfilled and no non-disclosure order applies any more), done when staff record
    that the user was told."""

    legal_request = models.OneToOneField(
        LegalRequest, on_delete=models.CASCADE, related_name="user_notice"
    )
    due_from = models.DateTimeField()
    listed_at = models.DateTimeField(default=timezone.now)
    notified_at = models.DateTimeField(null=True, blank=True)
    notified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due_from", "id"]

    def __str__(self) -> str:
        return f"User notice for {self.legal_request_id}"
