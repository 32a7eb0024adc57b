"""English formats for every page Django renders (admin lists and read-only fields included):
ISO dates, the 24-hour clock and the time zone, never "Dec. 1, 2026, 2:05 p.m."."""

DATETIME_FORMAT = "Y-m-d H:i T"
SHORT_DATETIME_FORMAT = "Y-m-d H:i T"
DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
TIME_FORMAT = "H:i"
