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
        # The switchboard's figures at /metrics (read at each scrape).
        from core.metrics import register_collector
        from switchboard.metrics import switchboard_metrics

        register_collector("switchboard", switchboard_metrics)
