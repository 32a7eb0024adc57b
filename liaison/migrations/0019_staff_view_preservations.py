"""The staff groups of the legal review (legal_reviewer, callback_officer) may look at
preservations in admin, as at every other part of a request."""

from django.db import migrations

GROUPS = {
    "legal_reviewer": ("liaison.view_preservation",),
    "callback_officer": ("liaison.view_preservation",),
}


def grant(apps, schema_editor):
    from core.staff import permissions_create_now, staff_groups_ensure

    permissions_create_now(apps, using=schema_editor.connection.alias, app_labels=["liaison"])
    staff_groups_ensure(GROUPS, apps=apps)


def revoke(apps, schema_editor):
    permission = apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="liaison", codename="view_preservation"
    )
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.remove(*permission)


class Migration(migrations.Migration):

    dependencies = [
        ("liaison", "0018_preservation"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
