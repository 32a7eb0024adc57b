"""App config for the tenants and their legal requests."""

from django.apps import AppConfig


class LiaisonConfig(AppConfig):
    """Organizations, tokens, legal requests, targets and their timeline."""

    name = "liaison"
    verbose_name = "Liaison"

    def ready(self) -> None:
        # Registers the outbox handlers of this app.
        from liaison import handlers  # noqa: F401
