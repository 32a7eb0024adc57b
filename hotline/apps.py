"""App config for the switchboard and the live hotline."""

from django.apps import AppConfig


class HotlineConfig(AppConfig):
    """Teams, routing rules, legal clocks, tickets and the hotline conversations."""

    name = "hotline"
    verbose_name = "Hotline & switchboard"

    def ready(self) -> None:
        # Registers the outbox handlers of this app.
        from hotline import handlers, signals  # noqa: F401
        from hotline.chat import receivers

        signals.connect()
        receivers.connect()
