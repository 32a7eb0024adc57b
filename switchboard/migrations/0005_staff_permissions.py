"""Least privilege for staff: the permissions of the switchboard, and the two groups that hold
them (switchboard works tickets; policy_admin edits teams, routing rules, legal clocks and
escalation chains, and alone has the change permissions of those models). Written out as they
were at this migration (see liaison 0008)."""

from django.db import migrations


POLICY_MODELS = ("team", "teammember", "routingrule", "legalclock", "escalationchain", "escalationstep")
REQUEST_VIEW = (
    "liaison.view_legalrequest",
    "liaison.view_target",
    "liaison.view_timelineentry",
    "liaison.view_legaldocument",
    "liaison.view_organization",
)
GROUPS = {
    "switchboard": (
        "switchboard.work_ticket",
        "switchboard.view_ticket",
        "switchboard.view_notification",
        *(f"switchboard.view_{model}" for model in POLICY_MODELS),
        *REQUEST_VIEW,
    ),
    "policy_admin": (
        "switchboard.edit_policy",
        *(
            f"switchboard.{action}_{model}"
            for model in POLICY_MODELS
            for action in ("add", "change", "delete", "view")
        ),
    ),
}


def groups_create(apps, schema_editor):
    from core.staff import permissions_create_now, staff_groups_ensure

    permissions_create_now(
        apps, using=schema_editor.connection.alias, app_labels=["liaison", "switchboard"]
    )
    staff_groups_ensure(GROUPS, apps=apps)


def groups_delete(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('switchboard', '0004_notification_bookkeeping_is_the_outboxs'),
        ('liaison', '0010_staff_permissions'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='policyrevision',
            options={'permissions': [('edit_policy', 'Can edit the routing policy (teams, routing rules, legal clocks, chains)')]},
        ),
        migrations.AlterModelOptions(
            name='ticket',
            options={'ordering': ['due_at', 'id'], 'permissions': [('work_ticket', 'Can work tickets (acknowledge, assign, escalate, resolve)')]},
        ),
        migrations.RunPython(groups_create, groups_delete),
    ]
