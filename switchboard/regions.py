"""Named regions a routing rule can match on instead of (or besides) a list of countries."""

from __future__ import annotations

from django.db import models

_EU_CODES = "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK"
_AMERICAS_CODES = (
    "AG AR BS BB BZ BO BR CA CL CO CR CU DM DO EC SV GD GT GY HT HN JM MX NI PA PY PE KN LC "
    "VC SR TT US UY VE PR"
)
EU = frozenset(_EU_CODES.split(" "))
EEA = EU | {"IS", "LI", "NO"}
AMERICAS = frozenset(_AMERICAS_CODES.split(" "))


class Region(models.TextChoices):
    """A group of countries a rule can name."""

    EU = "EU", "European Union"
    EEA = "EEA", "European Economic Area"
    AMERICAS = "AMERICAS", "The Americas"


COUNTRIES: dict[str, frozenset[str]] = {
    Region.EU: EU,
    Region.EEA: frozenset(EEA),
    Region.AMERICAS: AMERICAS,
}


def region_countries(region: str) -> frozenset[str]:
    """The countries of a region (KeyError for a region this code does not know)."""
    return COUNTRIES[region]
