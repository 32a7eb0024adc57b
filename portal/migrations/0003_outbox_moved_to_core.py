"""The outbox and its dead letters now belong to the `core` app (core 0001): state only, the tables stay."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
        ('portal', '0002_dead_letters'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables exist already, under their old names (Meta.db_table).
            database_operations=[],
            state_operations=[
            migrations.DeleteModel(
                name='DeadLetter',
            ),
            migrations.DeleteModel(
                name='OutboxEvent',
            ),
            ],
        ),
    ]
