"""Staff stay anonymous to outsiders: the public timeline entries that name a staff member by
e-mail address or username (as `actor`) name the request's desk instead ("Platform staff" where
none applies). Internal entries and the audit log keep who it was."""

from django.conf import settings
from django.db import migrations
from django.db.models import Q

PLATFORM_STAFF = "Platform staff"  # core.actors.PLATFORM_STAFF, as it was at this migration


def staff_labels(apps):
    """Every label a staff member's actions carried: e-mail address and username."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    username_field = getattr(user_model, "USERNAME_FIELD", "username")
    labels = set()
    for email, username in user_model.objects.filter(
        Q(is_staff=True) | Q(is_superuser=True)
    ).values_list("email", username_field):
        labels.update(str(value) for value in (email, username) if value)
    return labels


def forwards(apps, schema_editor):
    entry_model = apps.get_model("liaison", "TimelineEntry")
    labels = staff_labels(apps)
    if not labels:
        return
    entries = entry_model.objects.filter(public=True, actor_label__in=labels)
    desks = set(entries.values_list("legal_request__handling_desk", flat=True))
    for desk in desks:
        entries.filter(legal_request__handling_desk=desk).update(
            actor_label=(desk or "").strip() or PLATFORM_STAFF
        )


class Migration(migrations.Migration):

    dependencies = [
        ('liaison', '0010_staff_permissions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
