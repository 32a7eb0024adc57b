"""The members' console (/console/): authorities and NGOs serve themselves in a browser."""

from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """The console: sign-in with a second factor, requests, administration, getting access."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "console"
    verbose_name = "Console and access requests"
