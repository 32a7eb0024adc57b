"""Least privilege for staff: the permissions of the legal review, and the two groups that hold
them (legal_reviewer reviews, approves, rejects and fulfils; callback_officer records emergency
callbacks). The groups are written out here as they were at this migration: later changes to
liaison.permissions reach existing databases through `seed_demo` / staff, not by editing this."""

from django.db import migrations

VIEW = (
    "liaison.view_legalrequest",
    "liaison.view_target",
    "liaison.view_timelineentry",
    "liaison.view_legaldocument",
    "liaison.view_organization",
)
GROUPS = {
    "legal_reviewer": ("liaison.review_legalrequest", "liaison.fulfil_legalrequest", *VIEW),
    "callback_officer": ("liaison.record_callback", *VIEW),
}


def groups_create(apps, schema_editor):
    from core.staff import permissions_create_now, staff_groups_ensure

    permissions_create_now(apps, using=schema_editor.connection.alias, app_labels=["liaison"])
    staff_groups_ensure(GROUPS, apps=apps)


def groups_delete(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('liaison', '0009_request_idempotency_fingerprint'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='legalrequest',
            options={'ordering': ['-submitted_at', '-id'], 'permissions': [('review_legalrequest', 'Can review legal requests (start, analysis, clarification, approve, reject)'), ('fulfil_legalrequest', 'Can fulfil approved legal requests (disclosure packages)'), ('record_callback', 'Can record the callback of an emergency request')]},
        ),
        migrations.RunPython(groups_create, groups_delete),
    ]
