"""The outbox and its dead letters, moved here from the `portal` app: state only, same tables."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('portal', '0002_dead_letters'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables exist already, under their old names (Meta.db_table).
            database_operations=[],
            state_operations=[
            migrations.CreateModel(
                name='OutboxEvent',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('topic', models.CharField(db_index=True, max_length=100)),
                    ('payload', models.JSONField(default=dict)),
                    ('queue', models.CharField(choices=[('urgent', 'Urgent'), ('default', 'Default')], default='default', max_length=20)),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('enqueued_at', models.DateTimeField(blank=True, null=True)),
                    ('delivered_at', models.DateTimeField(blank=True, null=True)),
                    ('attempts', models.PositiveIntegerField(default=0)),
                    ('last_error', models.TextField(blank=True)),
                    ('dead_lettered_at', models.DateTimeField(blank=True, help_text='Set when retries ran out; the re-drive skips it.', null=True)),
                ],
                options={
                    'db_table': 'portal_outboxevent',
                    'indexes': [models.Index(condition=models.Q(('delivered_at__isnull', True)), fields=['created_at'], name='outbox_undelivered_idx')],
                },
            ),
            migrations.CreateModel(
                name='DeadLetter',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('key', models.CharField(max_length=100)),
                    ('task_name', models.CharField(max_length=200)),
                    ('args', models.JSONField(blank=True, default=list)),
                    ('queue', models.CharField(blank=True, max_length=20)),
                    ('error', models.TextField(blank=True)),
                    ('attempts', models.PositiveIntegerField(default=0)),
                    ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                    ('redriven_at', models.DateTimeField(blank=True, null=True)),
                    ('outbox_event', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='dead_letters', to='core.outboxevent')),
                ],
                options={
                    'db_table': 'portal_deadletter',
                    'ordering': ['-created_at', '-id'],
                    'constraints': [models.UniqueConstraint(condition=models.Q(('redriven_at__isnull', True)), fields=('key',), name='dead_letter_one_open_per_key')],
                },
            ),
            ],
        ),
    ]
