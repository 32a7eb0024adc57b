"""The ground floor's models (Django finds an app's models here)."""

from core.outbox.models import DeadLetter, OutboxEvent
from core.staff import StaffProfile

__all__ = ["DeadLetter", "OutboxEvent", "StaffProfile"]
