"""Webhook notices to an organization and their delivery attempts."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_noop

from liaison.models.requests import LegalRequest
from liaison.models.tenants import Organization


class WebhookDelivery(models.Model):
    """One webhook notice to an organization and its series of delivery attempts.

    Delivered through the outbox (topic `liaison.webhook_delivery`), which retries it and, when
    its attempts run out, dead-letters it: `state` DEAD, until staff revive the dead letter.
    The row records what was sent (the exact signed body), where, and how the attempts went.
    """

    class State(models.TextChoices):
        PENDING = "PENDING", gettext_noop("Pending")
        DELIVERED = "DELIVERED", gettext_noop("Delivered")
        DEAD = "DEAD", gettext_noop("Dead-lettered")

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
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    dead_lettered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.event} → {self.organization.slug} ({self.state})"
