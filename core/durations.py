"""Durations for people to read: legal clocks ("8 hours"), and time left in a queue ("2h 05m")."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import ngettext

MINUTE, HOUR, DAY = 60, 3600, 86400


def humanize_duration(delta: timedelta, *, compact: bool = False) -> str:
    """`delta` in words, to the minute (sign ignored).

    The default names a clock in its largest whole unit: "1 hour", "10 days", "90 minutes".
    `compact` is for a countdown in a table column, in its two largest units: "3d 4h",
    "2h 05m", "7m".
    """
    seconds = int(abs(delta.total_seconds()))
    if compact:
        days, rest = divmod(seconds, DAY)
        hours, rest = divmod(rest, HOUR)
        minutes = rest // MINUTE
        if days:
            return f"{days}d {hours}h"
        if hours:
            return f"{hours}h {minutes:02d}m"
        return f"{minutes}m"
    minutes = seconds // MINUTE
    if minutes and minutes % (DAY // MINUTE) == 0:
        days = minutes * MINUTE // DAY
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    if minutes and minutes % (HOUR // MINUTE) == 0:
        hours = minutes * MINUTE // HOUR
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
