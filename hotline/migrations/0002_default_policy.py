"""A fresh database gets the default legal clocks and a fallback team, so routing works before
anyone has opened the admin. (seed_demo adds the demo teams and rules.)"""

from django.db import migrations

from hotline.defaults import CLOCK_NOTES, DEFAULT_CLOCKS, DEFAULT_FALLBACK_DESK, DEFAULT_FALLBACK_TEAM


def create_defaults(apps, schema_editor):
    LegalClock = apps.get_model("hotline", "LegalClock")
    Team = apps.get_model("hotline", "Team")
    for (kind, category), duration in DEFAULT_CLOCKS.items():
        LegalClock.objects.get_or_create(
            kind=kind,
            category=category or "",
            defaults={"duration": duration, "note": CLOCK_NOTES.get((kind, category), "")},
        )
    if not Team.objects.filter(is_fallback=True).exists():
        Team.objects.get_or_create(
            name=DEFAULT_FALLBACK_TEAM,
            defaults={"desk_name": DEFAULT_FALLBACK_DESK, "is_fallback": True},
        )


class Migration(migrations.Migration):
    dependencies = [("hotline", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
