"""App config of the switchboard."""

from django.apps import AppConfig


class SwitchboardConfig(AppConfig):
    """Teams, routing rules, legal clocks, escalation chains, tickets and staff notifications."""

    name = "switchboard"
    verbose_name = "Switchboard"

    def ready(self) -> None:
        # Registers the outbox handlers and the policy-revision receivers of this app.
        from liaison.intake import intake_resolver_register
        from switchboard import handlers, selectors, signals  # noqa: F401

        signals.connect()
        # Intake asks the switchboard for the desk and deadline (liaison cannot import it).
        intake_resolver_register(selectors.routing_intake_decide)
        # The switchboard's figures at /metrics (read at each scrape).
        from core.metrics import register_collector
        from switchboard.metrics import switchboard_metrics

        register_collector("switchboard", switchboard_metrics)
