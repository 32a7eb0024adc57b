"""Legal reviewers and the switchboard may look at the published reports, the statements of
reasons and the trusted flaggers' statistics in admin (transparency/permissions.py); before,
only superusers could."""

from django.db import migrations

VIEW = (
    "transparency.view_dailyreport",
    "transparency.view_statementofreasons",
    "transparency.view_trustedflagger",
)
GROUPS = {"legal_reviewer": VIEW, "switchboard": VIEW}


def grant(apps, schema_editor):
    from core.staff import permissions_create_now, staff_groups_ensure

    permissions_create_now(apps, using=schema_editor.connection.alias, app_labels=["transparency"])
    staff_groups_ensure(GROUPS, apps=apps)


def revoke(apps, schema_editor):
    permissions = apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="transparency", codename__in=[p.split(".")[1] for p in VIEW]
    )
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):

    dependencies = [
        ("transparency", "0007_faster_histogram_functions"),
        ("liaison", "0020_audit_sealed_by_a_sequencer"),
        ("switchboard", "0005_staff_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
