"""Staff notifications are now sent through the outbox (topic `switchboard.staff_notification`):
each unsent notification gets its outbox event, so nothing pending is lost. A notification that
had given up becomes a dead-lettered event, and its open dead letter (key `notification:<id>`)
now points at that event, so staff can revive it from the one dead-letter admin."""

from django.db import migrations

TOPIC = "switchboard.staff_notification"
DELIVER_TASK = "core.outbox.tasks.deliver_outbox_event_task"


def notifications_to_outbox(apps, schema_editor):
    Notification = apps.get_model("switchboard", "Notification")
    OutboxEvent = apps.get_model("core", "OutboxEvent")
    DeadLetter = apps.get_model("core", "DeadLetter")
    unsent = Notification.objects.filter(sent_at__isnull=True).select_related("ticket")
    for notification in unsent.order_by("created_at", "id").iterator():
        urgent = bool(notification.ticket.urgent)
        queue = "urgent" if urgent else "default"
        event = OutboxEvent.objects.create(
            topic=TOPIC,
            payload={"notification_id": notification.pk, "urgent": urgent},
            queue=queue,
            enqueued_at=None,  # the re-drive enqueues it
            attempts=notification.attempts,
            last_error=notification.last_error,
            dead_lettered_at=notification.gave_up_at,
        )
        if notification.gave_up_at is None:
            continue
        letter_fields = {
            "key": f"outbox:{event.pk}",
            "task_name": DELIVER_TASK,
            "args": [event.pk],
            "queue": queue,
            "outbox_event": event,
        }
        letter = DeadLetter.objects.filter(
            key=f"notification:{notification.pk}", redriven_at__isnull=True
        ).first()
        if letter is None:
            DeadLetter.objects.create(
                error=notification.last_error,
                attempts=notification.attempts,
                created_at=notification.gave_up_at,
                **letter_fields,
            )
        else:
            DeadLetter.objects.filter(pk=letter.pk).update(**letter_fields)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_content_types"),
        ("switchboard", "0002_default_policy_and_content_types"),
    ]

    operations = [migrations.RunPython(notifications_to_outbox, migrations.RunPython.noop)]
