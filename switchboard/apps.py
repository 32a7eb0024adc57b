"""App config of the switchboard."""

from django.apps import AppConfig


class SwitchboardConfig(AppConfig):
    """Teams, routing rules, legal clocks, escalation chains, tickets and staff notifications."""

    name = "switchboard"
    verbose_name = "Switchboard"

    def ready(self) -> None:
        # Registers the outbox handlers and the policy-revision receivers of this app.
        from switchboard import handlers, signals  # noqa: F401

        signals.connect()
