"""Staff stay anonymous to outsiders: the hotline messages staff wrote, signed until now with
the author's full name, e-mail address or username, are signed with the desk of the
conversation's request ("Platform staff" on a main line). Names that were none of these are
kept; Message.author still says who it was, for staff."""

from django.db import migrations

PLATFORM_STAFF = "Platform staff"  # core.actors.PLATFORM_STAFF, as it was at this migration


def identifiers(email, username, first_name, last_name):
    """What the chat used to sign a staff member's messages with (services.author_display_name
    before this change): the full name, else the e-mail address or username."""
    full_name = f"{first_name or ''} {last_name or ''}".strip()
    return {value for value in (email, username, full_name) if value}


def forwards(apps, schema_editor):
    message_model = apps.get_model("hotline", "Message")
    rows = (
        message_model.objects.filter(author_is_staff=True, kind="USER", author__isnull=False)
        .values_list(
            "pk",
            "author_name",
            "author__email",
            "author__username",
            "author__first_name",
            "author__last_name",
            "conversation__legal_request__handling_desk",
        )
        .iterator(chunk_size=2000)
    )
    by_desk = {}
    for pk, shown, email, username, first_name, last_name, desk in rows:
        if shown in identifiers(email, username, first_name, last_name):
            by_desk.setdefault((desk or "").strip()[:200] or PLATFORM_STAFF, []).append(pk)
    for desk, pks in by_desk.items():
        for start in range(0, len(pks), 2000):
            message_model.objects.filter(pk__in=pks[start : start + 2000]).update(author_name=desk)


class Migration(migrations.Migration):

    dependencies = [
        ('hotline', '0007_switchboard_moved_out'),
        ('liaison', '0011_public_timeline_without_staff_emails'),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
