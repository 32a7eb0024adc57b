"""App config for the project package itself (it owns the transactional outbox)."""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The transactional outbox and the project-wide plumbing."""

    name = "portal"
    verbose_name = "Portal"
