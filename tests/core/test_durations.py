"""The one duration formatter: clocks in their largest whole unit, countdowns in two units."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.durations import humanize_duration


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (timedelta(hours=1), "1 hour"),
        (timedelta(hours=8), "8 hours"),
        (timedelta(days=1), "1 day"),
        (timedelta(days=10), "10 days"),
        (timedelta(hours=26), "26 hours"),
        (timedelta(minutes=90), "90 minutes"),
        (timedelta(minutes=1, seconds=59), "1 minute"),
        (timedelta(hours=1, seconds=30), "1 hour"),  # to the minute
        (timedelta(0), "0 minutes"),
    ],
)
def test_a_clock_is_named_in_its_largest_whole_unit(delta: timedelta, words: str) -> None:
    assert humanize_duration(delta) == words


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (timedelta(days=3, hours=4, minutes=5), "3d 4h"),
        (timedelta(hours=2, minutes=5), "2h 05m"),
        (timedelta(minutes=7, seconds=59), "7m"),
        (-timedelta(hours=1, minutes=1), "1h 01m"),  # overdue: the caller says so
    ],
)
def test_a_countdown_is_compact(delta: timedelta, words: str) -> None:
    assert humanize_duration(delta, compact=True) == words
