"""App config of the live hotline."""

from django.apps import AppConfig


class HotlineConfig(AppConfig):
    """Hotline conversations and their messages."""

    name = "hotline"
    verbose_name = "Hotline"

    def ready(self) -> None:
        # Registers the outbox handlers and the signal receivers of this app.
        from hotline import handlers, receivers  # noqa: F401

        receivers.connect()
