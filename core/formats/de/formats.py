"""German formats: "1. Dezember 2026, 14:05 UTC", "01.12.2026 14:05 UTC" (the zone always
shown; Django's own German formats otherwise, input formats included)."""

DATETIME_FORMAT = "j. F Y, H:i T"
SHORT_DATETIME_FORMAT = "d.m.Y H:i T"
