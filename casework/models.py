"""The case: a switchboard ticket seen together with its legal request (a proxy, no table)."""

from __future__ import annotations

from switchboard.models import Ticket


class Case(Ticket):
    """A ticket and its request as staff work them: the queue lists cases, the case page shows
    the ticket, the request's review and its hotline conversation together. Proxy of Ticket:
    every write goes through the switchboard, liaison and hotline services."""

    class Meta:
        proxy = True
        verbose_name = "case"
        verbose_name_plural = "cases (queue)"
