"""Callback officers verify organizations: they call the independently sourced switchboard
number and record it, the same work as an emergency callback. `liaison.change_organization`
(which also guards the e-mail domain, webhook and contact, and, with a second staff member's
approval, the callback number) was held by superusers only."""

from django.db import migrations

GROUPS = {"callback_officer": ("liaison.change_organization",)}


def grant(apps, schema_editor):
    from core.staff import permissions_create_now, staff_groups_ensure

    permissions_create_now(apps, using=schema_editor.connection.alias, app_labels=["liaison"])
    staff_groups_ensure(GROUPS, apps=apps)


def revoke(apps, schema_editor):
    permission = apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="liaison", codename="change_organization"
    )
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.remove(*permission)


class Migration(migrations.Migration):

    dependencies = [
        ("liaison", "0020_audit_sealed_by_a_sequencer"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
