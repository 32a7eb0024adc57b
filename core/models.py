"""The ground floor's models (Django finds an app's models here)."""

from core.outbox.models import DeadLetter, OutboxEvent

__all__ = ["DeadLetter", "OutboxEvent"]
