"""Once: the default legal clocks and fallback team of a fresh database.

The switchboard's models have since moved to the `switchboard` app, whose migration 0002 seeds
the same defaults (idempotently), so this step now does nothing: databases that ran it keep
what it created, fresh ones get it from the switchboard."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("hotline", "0001_initial")]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
