"""A fresh database gets the default legal clocks and a fallback team, so routing works before
anyone has opened the admin (seed_demo adds the demo teams and rules); and the content types of
the moved models follow them from `hotline` to `switchboard`, so that permissions granted on
them (and admin log entries) keep pointing at the same rows."""

from django.db import migrations

from switchboard.defaults import (
    CLOCK_NOTES,
    DEFAULT_CLOCKS,
    DEFAULT_FALLBACK_DESK,
    DEFAULT_FALLBACK_TEAM,
)

MOVED_MODELS = (
    "escalationchain",
    "escalationstep",
    "team",
    "teammember",
    "routingrule",
    "legalclock",
    "ticket",
    "notification",
    "policyrevision",
)


def create_defaults(apps, schema_editor):
    LegalClock = apps.get_model("switchboard", "LegalClock")
    Team = apps.get_model("switchboard", "Team")
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


def move_content_types(apps, schema_editor, source="hotline", target="switchboard"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED_MODELS:
        if ContentType.objects.filter(app_label=target, model=model).exists():
            continue
        ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="switchboard", target="hotline")


class Migration(migrations.Migration):
    dependencies = [
        ("switchboard", "0001_initial"),
        ("hotline", "0007_switchboard_moved_out"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_defaults, migrations.RunPython.noop),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
