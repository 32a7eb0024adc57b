"""Rollups per span of a month (days 1-8, 9-15, 16-23, 24 to the end) instead of per month, so
that a period starting or ending mid-month reads at most 4 day rows at each end, not 15.

The monthly rollups are derived data and mean something else under the new scheme, so they
are dropped, not converted: the next daily report (beat, 00:10 UTC) rebuilds the whole chain
from the first published day, in its own transaction; until then periods are read from the
day rows, exactly (slower, never wrong). The dropped models' content types (and so their
permissions) go with them.
"""

import django.contrib.postgres.fields
import django.db.models.deletion
from django.db import migrations, models


DROPPED = ("monthlyrollup", "monthlyrolluprow")


def drop_content_types(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="transparency", model__in=DROPPED).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('transparency', '0008_staff_view_permissions'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.CreateModel(
            name='Rollup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('start', models.DateField(help_text='First day of the span.', unique=True)),
                ('days', models.PositiveSmallIntegerField(help_text='Published days summed.')),
                ('built_at', models.DateTimeField()),
            ],
            options={
                'ordering': ['-start'],
            },
        ),
        migrations.RemoveField(
            model_name='monthlyrolluprow',
            name='rollup',
        ),
        migrations.CreateModel(
            name='RollupRow',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('start', models.DateField()),
                ('jurisdiction', models.CharField(max_length=2)),
                ('kind', models.CharField(choices=[('DATA_DISCLOSURE', 'Data disclosure'), ('EMERGENCY_DISCLOSURE', 'Emergency disclosure'), ('PRESERVATION', 'Preservation'), ('CONTENT_REMOVAL', 'Content removal'), ('MODERATION_NOTICE', 'Moderation notice')], max_length=32)),
                ('category', models.CharField(choices=[('TERRORISM', 'Terrorism'), ('CHILD_SAFETY', 'Child safety'), ('ILLEGAL_GOODS', 'Illegal goods'), ('FRAUD', 'Fraud'), ('VIOLENCE', 'Violence'), ('OTHER', 'Other')], max_length=32)),
                ('received', models.PositiveIntegerField()),
                ('fulfilled', models.PositiveIntegerField()),
                ('rejected', models.PositiveIntegerField()),
                ('rejected_by_reason', models.JSONField(default=dict)),
                ('withdrawn', models.PositiveIntegerField()),
                ('open', models.PositiveIntegerField()),
                ('accounts_affected', models.PositiveIntegerField()),
                ('acted', models.PositiveIntegerField()),
                ('within_deadline', models.PositiveIntegerField()),
                ('breaches', models.PositiveIntegerField()),
                ('trusted_flagger_notices', models.PositiveIntegerField()),
                ('acknowledge_cdf', django.contrib.postgres.fields.ArrayField(base_field=models.IntegerField(), default=list, size=None)),
                ('act_cdf', django.contrib.postgres.fields.ArrayField(base_field=models.IntegerField(), default=list, size=None)),
                ('rollup', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rows', to='transparency.rollup')),
            ],
        ),
        migrations.DeleteModel(
            name='MonthlyRollup',
        ),
        migrations.DeleteModel(
            name='MonthlyRollupRow',
        ),
        migrations.AddConstraint(
            model_name='rolluprow',
            constraint=models.UniqueConstraint(fields=('start', 'jurisdiction', 'kind', 'category'), name='transparency_rollup_row_once'),
        ),
        migrations.RunPython(drop_content_types, migrations.RunPython.noop),
    ]
