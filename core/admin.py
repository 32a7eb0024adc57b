"""Admin of the ground floor (Django's autodiscovery imports this module)."""

from core.outbox import admin  # noqa: F401
