"""The content types of the outbox models follow them from `portal` to `core`, so that
permissions granted on them keep pointing at the same rows."""

from django.db import migrations

MOVED_MODELS = ("outboxevent", "deadletter")


def move_content_types(apps, schema_editor, source="portal", target="core"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED_MODELS:
        if ContentType.objects.filter(app_label=target, model=model).exists():
            continue
        ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="core", target="portal")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("portal", "0003_outbox_moved_to_core"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(move_content_types, move_content_types_back)]
