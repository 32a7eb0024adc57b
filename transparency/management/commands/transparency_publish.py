"""`manage.py transparency_publish`: publish every ended UTC day that has no signed daily
report yet, oldest first, as the beat job does (`daily_reports_catch_up`; idempotent). `make
run` runs it at start, so yesterday's report is there on a new installation's first run."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from transparency.services import daily_reports_catch_up


class Command(BaseCommand):
    help = "Publish the signed daily transparency report of every ended day not published yet."

    def handle(self, *args: Any, **options: Any) -> None:
        published = daily_reports_catch_up()
        if published:
            days = ", ".join(day.isoformat() for day in published)
            self.stdout.write(f"transparency: published the daily reports of {days}")
        else:
            self.stdout.write("transparency: every ended day is published")
