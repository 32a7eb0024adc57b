"""App config for the tenants and their legal requests."""

from django.apps import AppConfig


class LiaisonConfig(AppConfig):
    """Organizations, tokens, legal requests, targets and their timeline."""

    name = "liaison"
    verbose_name = "Liaison"
