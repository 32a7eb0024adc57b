"""Webhooks are now delivered through the outbox (topic `liaison.webhook_delivery`): each
pending delivery gets its outbox event, so nothing pending is lost. A DEAD delivery becomes a
dead-lettered event, and its open dead letter (key `webhook:<id>`) now points at that event,
so staff can revive it from the one dead-letter admin."""

from django.db import migrations

TOPIC = "liaison.webhook_delivery"
DELIVER_TASK = "core.outbox.tasks.deliver_outbox_event_task"


def webhooks_to_outbox(apps, schema_editor):
    WebhookDelivery = apps.get_model("liaison", "WebhookDelivery")
    OutboxEvent = apps.get_model("core", "OutboxEvent")
    DeadLetter = apps.get_model("core", "DeadLetter")
    waiting = WebhookDelivery.objects.filter(state__in=["PENDING", "DEAD"])
    for delivery in waiting.order_by("created_at", "id").iterator():
        dead = delivery.state == "DEAD"
        dead_at = (delivery.dead_lettered_at or delivery.last_attempt_at or delivery.created_at)
        event = OutboxEvent.objects.create(
            topic=TOPIC,
            payload={"delivery_id": delivery.pk},
            queue="default",
            enqueued_at=None,  # the re-drive enqueues it
            attempts=delivery.attempts,
            last_error=delivery.last_error,
            dead_lettered_at=dead_at if dead else None,
        )
        if not dead:
            continue
        letter_fields = {
            "key": f"outbox:{event.pk}",
            "task_name": DELIVER_TASK,
            "args": [event.pk],
            "queue": "default",
            "outbox_event": event,
        }
        letter = DeadLetter.objects.filter(
            key=f"webhook:{delivery.pk}", redriven_at__isnull=True
        ).first()
        if letter is None:
            DeadLetter.objects.create(
                error=delivery.last_error,
                attempts=delivery.attempts,
                created_at=dead_at,
                **letter_fields,
            )
        else:
            DeadLetter.objects.filter(pk=letter.pk).update(**letter_fields)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_content_types"),
        ("liaison", "0005_request_origin"),
    ]

    operations = [migrations.RunPython(webhooks_to_outbox, migrations.RunPython.noop)]
