"""Staff stay anonymous to outsiders: the hotline messages staff wrote, signed until now with
their full name or e-mail address, are signed with the desk of the conversation's request
("Platform staff" on a main line). Message.author still says who it was, for staff."""

from django.db import migrations

PLATFORM_STAFF = "Platform staff"  # core.actors.PLATFORM_STAFF, as it was at this migration


def forwards(apps, schema_editor):
    message_model = apps.get_model("hotline", "Message")
    staff_messages = message_model.objects.filter(author_is_staff=True, kind="USER")
    staff_messages.filter(conversation__legal_request__isnull=True).update(
        author_name=PLATFORM_STAFF
    )
    on_requests = staff_messages.filter(conversation__legal_request__isnull=False)
    desks = set(on_requests.values_list("conversation__legal_request__handling_desk", flat=True))
    for desk in desks:
        on_requests.filter(conversation__legal_request__handling_desk=desk).update(
            author_name=(desk or "").strip()[:200] or PLATFORM_STAFF
        )


class Migration(migrations.Migration):

    dependencies = [
        ('hotline', '0007_switchboard_moved_out'),
        ('liaison', '0009_public_timeline_without_staff_emails'),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
