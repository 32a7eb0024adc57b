"""The switchboard's models now belong to the `switchboard` app (switchboard 0001): state only,
the tables stay."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('switchboard', '0001_initial'),
        ('hotline', '0006_ticket_paused'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables exist already, under their old names (Meta.db_table).
            database_operations=[],
            state_operations=[
            migrations.RemoveField(
                model_name='team',
                name='escalation_chain',
            ),
            migrations.RemoveField(
                model_name='routingrule',
                name='escalation_chain',
            ),
            migrations.RemoveField(
                model_name='escalationstep',
                name='chain',
            ),
            migrations.DeleteModel(
                name='LegalClock',
            ),
            migrations.RemoveField(
                model_name='notification',
                name='ticket',
            ),
            migrations.DeleteModel(
                name='PolicyRevision',
            ),
            migrations.RemoveField(
                model_name='routingrule',
                name='team',
            ),
            migrations.RemoveField(
                model_name='ticket',
                name='routing_rule',
            ),
            migrations.RemoveField(
                model_name='team',
                name='members',
            ),
            migrations.RemoveField(
                model_name='teammember',
                name='team',
            ),
            migrations.RemoveField(
                model_name='ticket',
                name='team',
            ),
            migrations.RemoveField(
                model_name='teammember',
                name='user',
            ),
            migrations.RemoveField(
                model_name='ticket',
                name='acknowledged_by',
            ),
            migrations.RemoveField(
                model_name='ticket',
                name='assignee',
            ),
            migrations.RemoveField(
                model_name='ticket',
                name='legal_request',
            ),
            migrations.RemoveField(
                model_name='ticket',
                name='resolved_by',
            ),
            migrations.DeleteModel(
                name='EscalationChain',
            ),
            migrations.DeleteModel(
                name='EscalationStep',
            ),
            migrations.DeleteModel(
                name='Notification',
            ),
            migrations.DeleteModel(
                name='RoutingRule',
            ),
            migrations.DeleteModel(
                name='Team',
            ),
            migrations.DeleteModel(
                name='TeamMember',
            ),
            migrations.DeleteModel(
                name='Ticket',
            ),
            ],
        ),
    ]
