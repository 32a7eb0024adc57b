"""French formats: "1 décembre 2026 à 14:05 UTC", "01/12/2026 14:05 UTC" (the zone always
shown; Django's own French formats otherwise, input formats included)."""

DATETIME_FORMAT = "j F Y à H:i T"
SHORT_DATETIME_FORMAT = "d/m/Y H:i T"
