"""The switchboard's figures for /metrics, read at each scrape (registered in apps.ready())."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from switchboard.models import Team, Ticket


def switchboard_metrics() -> Iterable[Metric]:
    """Open tickets per team (unacknowledged, and not resolved), overdue ones, and breaches."""
    open_tickets = GaugeMetricFamily(
        "liaison_open_tickets",
        'Tickets not resolved, per team; state="OPEN" is unacknowledged.',
        labels=["team", "state"],
    )
    overdue = GaugeMetricFamily(
        "liaison_overdue_tickets", "Unresolved tickets past their deadline.", labels=["team"]
    )
    breaches = CounterMetricFamily(
        "liaison_ticket_breaches",
        "Tickets whose legal deadline was breached (recorded once each by the sweep).",
        labels=["team"],
    )
    teams = dict(Team.objects.values_list("pk", "name"))
    rows = (
        Ticket.objects.unresolved()
        .values("team_id", "state")
        .annotate(n=Count("id"))
        .order_by("team_id", "state")
    )
    for row in rows:
        open_tickets.add_metric([teams.get(row["team_id"], "?"), row["state"]], row["n"])
    for team_id, n in (
        Ticket.objects.overdue().values_list("team_id").annotate(n=Count("id")).order_by("team_id")
    ):
        overdue.add_metric([teams.get(team_id, "?")], n)
    breached = dict(
        Ticket.objects.filter(breached_at__isnull=False)
        .values_list("team_id")
        .annotate(n=Count("id"))
        .order_by("team_id")
    )
    for team_id, name in sorted(teams.items()):  # every team, so increase() starts from 0
        breaches.add_metric([name], breached.get(team_id, 0))
    return [open_tickets, overdue, breaches]
