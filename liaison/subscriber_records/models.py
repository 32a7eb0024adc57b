"""The demo store of the default subscriber-records backend: platform accounts and their logins."""

from __future__ import annotations

from django.db import models


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
