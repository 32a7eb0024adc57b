"""The switchboard's models, moved here from the `hotline` app: state only, same tables."""

import datetime
import django.contrib.postgres.fields
import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('hotline', '0006_ticket_paused'),
        ('liaison', '0004_approval_set_aside'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables exist already, under their old names (Meta.db_table).
            database_operations=[],
            state_operations=[
            migrations.CreateModel(
                name='PolicyRevision',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('token', models.UUIDField(default=uuid.uuid4)),
                    ('changed_at', models.DateTimeField(default=django.utils.timezone.now)),
                ],
                options={
                    'db_table': 'hotline_policyrevision',
                },
            ),
            migrations.CreateModel(
                name='EscalationChain',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('name', models.CharField(max_length=100, unique=True)),
                    ('warn_before', models.DurationField(default=datetime.timedelta(seconds=900), help_text='Warn the team this long before the deadline (at most a quarter of the clock).')),
                    ('description', models.TextField(blank=True)),
                ],
                options={
                    'db_table': 'hotline_escalationchain',
                    'ordering': ['name'],
                    'constraints': [models.CheckConstraint(condition=models.Q(('warn_before__gt', datetime.timedelta(0))), name='escalation_chain_warn_positive')],
                },
            ),
            migrations.CreateModel(
                name='LegalClock',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(choices=[('DATA_DISCLOSURE', 'Data disclosure'), ('EMERGENCY_DISCLOSURE', 'Emergency disclosure'), ('PRESERVATION', 'Preservation'), ('CONTENT_REMOVAL', 'Content removal'), ('MODERATION_NOTICE', 'Moderation notice')], max_length=32)),
                    ('category', models.CharField(blank=True, choices=[('TERRORISM', 'Terrorism'), ('CHILD_SAFETY', 'Child safety'), ('ILLEGAL_GOODS', 'Illegal goods'), ('FRAUD', 'Fraud'), ('VIOLENCE', 'Violence'), ('OTHER', 'Other')], help_text='Leave blank for every category without a clock of its own.', max_length=32)),
                    ('duration', models.DurationField(help_text='e.g. 1:00:00 for one hour, 10 00:00:00 for 10 days')),
                    ('note', models.CharField(blank=True, help_text='The instrument behind it.', max_length=200)),
                ],
                options={
                    'db_table': 'hotline_legalclock',
                    'ordering': ['kind', 'category'],
                    'constraints': [models.UniqueConstraint(fields=('kind', 'category'), name='legal_clock_once'), models.CheckConstraint(condition=models.Q(('duration__gt', datetime.timedelta(0))), name='legal_clock_positive'), models.CheckConstraint(condition=models.Q(('kind__in', ['DATA_DISCLOSURE', 'EMERGENCY_DISCLOSURE', 'PRESERVATION', 'CONTENT_REMOVAL', 'MODERATION_NOTICE'])), name='legal_clock_kind_valid'), models.CheckConstraint(condition=models.Q(('category__in', ['', 'TERRORISM', 'CHILD_SAFETY', 'ILLEGAL_GOODS', 'FRAUD', 'VIOLENCE', 'OTHER'])), name='legal_clock_category_valid')],
                },
            ),
            migrations.CreateModel(
                name='Team',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('name', models.CharField(help_text='Internal name.', max_length=100, unique=True)),
                    ('desk_name', models.CharField(help_text='Public name shown to authorities (handlingTeam, /guide/).', max_length=120)),
                    ('email', models.EmailField(blank=True, help_text="The team's shared mailbox.", max_length=254)),
                    ('is_fallback', models.BooleanField(default=False, help_text='Receives every request that no routing rule matches.')),
                    ('escalation_chain', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='teams', to='switchboard.escalationchain')),
                ],
                options={
                    'db_table': 'hotline_team',
                    'ordering': ['name'],
                },
            ),
            migrations.CreateModel(
                name='RoutingRule',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('position', models.PositiveIntegerField(default=100, help_text='Lower positions are tried first.')),
                    ('name', models.CharField(max_length=120)),
                    ('kinds', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('DATA_DISCLOSURE', 'Data disclosure'), ('EMERGENCY_DISCLOSURE', 'Emergency disclosure'), ('PRESERVATION', 'Preservation'), ('CONTENT_REMOVAL', 'Content removal'), ('MODERATION_NOTICE', 'Moderation notice')], max_length=32), blank=True, default=list, size=None)),
                    ('categories', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('TERRORISM', 'Terrorism'), ('CHILD_SAFETY', 'Child safety'), ('ILLEGAL_GOODS', 'Illegal goods'), ('FRAUD', 'Fraud'), ('VIOLENCE', 'Violence'), ('OTHER', 'Other')], max_length=32), blank=True, default=list, size=None)),
                    ('countries', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=2), blank=True, default=list, size=None)),
                    ('region', models.CharField(blank=True, choices=[('EU', 'European Union'), ('EEA', 'European Economic Area'), ('AMERICAS', 'The Americas')], max_length=20)),
                    ('urgency', models.CharField(choices=[('ANY', 'Any'), ('URGENT', 'Urgent (clock of 8 hours or less)'), ('NON_URGENT', 'Not urgent')], default='ANY', max_length=20)),
                    ('is_active', models.BooleanField(default=True)),
                    ('last_error', models.TextField(blank=True, help_text='The last error raised evaluating it.')),
                    ('last_error_at', models.DateTimeField(blank=True, null=True)),
                    ('error_count', models.PositiveIntegerField(default=0)),
                    ('escalation_chain', models.ForeignKey(blank=True, help_text="Overrides the team's chain for the requests of this rule.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='routing_rules', to='switchboard.escalationchain')),
                    ('team', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='routing_rules', to='switchboard.team')),
                ],
                options={
                    'db_table': 'hotline_routingrule',
                    'ordering': ['position', 'id'],
                },
            ),
            migrations.CreateModel(
                name='TeamMember',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('position', models.PositiveSmallIntegerField(default=0, help_text='On-call order.')),
                    ('is_lead', models.BooleanField(default=False)),
                    ('team', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='switchboard.team')),
                    ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='hotline_memberships', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'db_table': 'hotline_teammember',
                    'ordering': ['team', 'position', 'id'],
                },
            ),
            migrations.AddField(
                model_name='team',
                name='members',
                field=models.ManyToManyField(blank=True, related_name='hotline_teams', through='switchboard.TeamMember', to=settings.AUTH_USER_MODEL),
            ),
            migrations.CreateModel(
                name='Ticket',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('state', models.CharField(choices=[('OPEN', 'Open (unacknowledged)'), ('ACKNOWLEDGED', 'Acknowledged'), ('RESOLVED', 'Resolved')], default='OPEN', max_length=20)),
                    ('priority', models.PositiveSmallIntegerField(help_text='1 (clock ≤ 1 h) to 4 (longer than 24 h).')),
                    ('urgent', models.BooleanField(default=False)),
                    ('routing_error', models.TextField(blank=True)),
                    ('opened_at', models.DateTimeField()),
                    ('clock', models.DurationField()),
                    ('due_at', models.DateTimeField()),
                    ('escalation_snapshot', models.JSONField(blank=True, default=dict)),
                    ('escalation_step', models.PositiveSmallIntegerField(default=0)),
                    ('next_escalation_at', models.DateTimeField(blank=True, null=True)),
                    ('on_call_position', models.PositiveSmallIntegerField(default=0, help_text='Index in the on-call order of the person called last.')),
                    ('warn_at', models.DateTimeField(blank=True, null=True)),
                    ('warned_at', models.DateTimeField(blank=True, null=True)),
                    ('breached_at', models.DateTimeField(blank=True, null=True)),
                    ('paused_at', models.DateTimeField(blank=True, help_text="Set while staff wait for the authority's answer: no escalation, no breach.", null=True)),
                    ('acknowledged_at', models.DateTimeField(blank=True, null=True)),
                    ('resolved_at', models.DateTimeField(blank=True, null=True)),
                    ('acknowledged_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('assignee', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='hotline_tickets', to=settings.AUTH_USER_MODEL)),
                    ('legal_request', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='hotline_tickets', to='liaison.legalrequest')),
                    ('resolved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('routing_rule', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='tickets', to='switchboard.routingrule')),
                    ('team', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='tickets', to='switchboard.team')),
                ],
                options={
                    'db_table': 'hotline_ticket',
                    'ordering': ['due_at', 'id'],
                },
            ),
            migrations.CreateModel(
                name='Notification',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(choices=[('ROUTED', 'New ticket'), ('ESCALATION', 'Escalation'), ('BREACH_WARNING', 'Deadline warning'), ('BREACHED', 'Deadline breached')], max_length=20)),
                    ('step', models.PositiveSmallIntegerField(default=0)),
                    ('recipients', django.contrib.postgres.fields.ArrayField(base_field=models.EmailField(max_length=254), blank=True, default=list, size=None)),
                    ('subject', models.CharField(max_length=200)),
                    ('body', models.TextField()),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('enqueued_at', models.DateTimeField(blank=True, null=True)),
                    ('claimed_at', models.DateTimeField(blank=True, null=True)),
                    ('sent_at', models.DateTimeField(blank=True, null=True)),
                    ('attempts', models.PositiveIntegerField(default=0)),
                    ('last_error', models.TextField(blank=True)),
                    ('gave_up_at', models.DateTimeField(blank=True, null=True)),
                    ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='switchboard.ticket')),
                ],
                options={
                    'db_table': 'hotline_notification',
                    'ordering': ['created_at', 'id'],
                },
            ),
            migrations.CreateModel(
                name='EscalationStep',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('position', models.PositiveSmallIntegerField(default=0)),
                    ('wait_minutes', models.PositiveIntegerField(help_text='Minutes after the previous step.')),
                    ('action', models.CharField(choices=[('NEXT_ON_CALL', 'Notify the next on-call person'), ('TEAM_LEAD', 'Notify the team lead'), ('WHOLE_TEAM', 'Notify the whole team')], max_length=20)),
                    ('chain', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='steps', to='switchboard.escalationchain')),
                ],
                options={
                    'db_table': 'hotline_escalationstep',
                    'ordering': ['chain', 'position', 'id'],
                    'constraints': [models.UniqueConstraint(fields=('chain', 'position'), name='escalation_step_position'), models.CheckConstraint(condition=models.Q(('wait_minutes__gte', 1)), name='escalation_step_wait'), models.CheckConstraint(condition=models.Q(('action__in', ['NEXT_ON_CALL', 'TEAM_LEAD', 'WHOLE_TEAM'])), name='escalation_step_action_valid')],
                },
            ),
            migrations.AddIndex(
                model_name='routingrule',
                index=models.Index(fields=['position', 'id'], name='routing_rule_order_idx'),
            ),
            migrations.AddConstraint(
                model_name='routingrule',
                constraint=models.CheckConstraint(condition=models.Q(('kinds__contained_by', ['DATA_DISCLOSURE', 'EMERGENCY_DISCLOSURE', 'PRESERVATION', 'CONTENT_REMOVAL', 'MODERATION_NOTICE'])), name='routing_rule_kinds'),
            ),
            migrations.AddConstraint(
                model_name='routingrule',
                constraint=models.CheckConstraint(condition=models.Q(('categories__contained_by', ['TERRORISM', 'CHILD_SAFETY', 'ILLEGAL_GOODS', 'FRAUD', 'VIOLENCE', 'OTHER'])), name='routing_rule_categories'),
            ),
            migrations.AddConstraint(
                model_name='routingrule',
                constraint=models.CheckConstraint(condition=models.Q(('region__in', ['', 'EU', 'EEA', 'AMERICAS'])), name='routing_rule_region'),
            ),
            migrations.AddConstraint(
                model_name='routingrule',
                constraint=models.CheckConstraint(condition=models.Q(('urgency__in', ['ANY', 'URGENT', 'NON_URGENT'])), name='routing_rule_urgency'),
            ),
            migrations.AddConstraint(
                model_name='teammember',
                constraint=models.UniqueConstraint(fields=('team', 'user'), name='team_member_once'),
            ),
            migrations.AddConstraint(
                model_name='team',
                constraint=models.UniqueConstraint(condition=models.Q(('is_fallback', True)), fields=('is_fallback',), name='team_one_fallback'),
            ),
            migrations.AddIndex(
                model_name='ticket',
                index=models.Index(fields=['team', 'due_at'], name='ticket_team_queue_idx'),
            ),
            migrations.AddIndex(
                model_name='ticket',
                index=models.Index(condition=models.Q(('next_escalation_at__isnull', False), ('state', 'OPEN')), fields=['next_escalation_at'], name='ticket_escalation_due_idx'),
            ),
            migrations.AddIndex(
                model_name='ticket',
                index=models.Index(condition=models.Q(('breached_at__isnull', True), ('warned_at__isnull', True), models.Q(('state', 'RESOLVED'), _negated=True)), fields=['warn_at'], name='ticket_warning_due_idx'),
            ),
            migrations.AddIndex(
                model_name='ticket',
                index=models.Index(condition=models.Q(('breached_at__isnull', True), models.Q(('state', 'RESOLVED'), _negated=True)), fields=['due_at'], name='ticket_breach_due_idx'),
            ),
            migrations.AddConstraint(
                model_name='ticket',
                constraint=models.UniqueConstraint(fields=('legal_request',), name='ticket_one_per_request'),
            ),
            migrations.AddConstraint(
                model_name='ticket',
                constraint=models.CheckConstraint(condition=models.Q(('priority__gte', 1), ('priority__lte', 4)), name='ticket_priority_range'),
            ),
            migrations.AddIndex(
                model_name='notification',
                index=models.Index(condition=models.Q(('gave_up_at__isnull', True), ('sent_at__isnull', True)), fields=['created_at'], name='notification_unsent_idx'),
            ),
            migrations.AddConstraint(
                model_name='notification',
                constraint=models.UniqueConstraint(fields=('ticket', 'kind', 'step'), name='notification_once_per_ticket_step'),
            ),
            ],
        ),
    ]
