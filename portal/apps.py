"""App config of the composition root (it holds the seed_demo command and no models)."""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    """Settings, routing, Celery and the root schema: the project itself."""

    name = "portal"
    verbose_name = "Portal"
