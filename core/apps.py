"""App config of the ground floor (it owns the outbox's tables)."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The transactional outbox and its dead letters."""

    name = "core"
    verbose_name = "Delivery (outbox)"
