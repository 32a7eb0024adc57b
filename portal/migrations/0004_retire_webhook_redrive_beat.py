"""The webhook re-drive beat entry is gone (the outbox's re-drive covers webhooks): delete its
row from django_celery_beat's table, which keeps entries removed from CELERY_BEAT_SCHEDULE."""

from django.db import migrations

RETIRED = ["liaison-webhook-redrive"]


def retire(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=RETIRED).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("django_celery_beat", "__first__"),
        ("portal", "0003_outbox_moved_to_core"),
    ]

    operations = [migrations.RunPython(retire, migrations.RunPython.noop)]
