"""Date formats of every page: date, 24-hour clock and time zone (FORMAT_MODULE_PATH)."""
