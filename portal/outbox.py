"""The transactional outbox: emit an event inside a transaction, deliver it after commit.

`outbox_emit` writes the event row in the caller's transaction and asks Celery to deliver it once
that transaction commits. If the broker is unreachable the row simply stays undelivered and the
re-drive sweeper (`outbox_redrive`) enqueues it again later. Delivery locks the row, runs the
topic's handlers and marks it delivered in one transaction, so handlers see each event effectively
once even when Celery delivers it twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal.models import OutboxEvent

logger = logging.getLogger(__name__)

Handler = Callable[[OutboxEvent], None]
QueueSelector = Callable[[dict], str]


@dataclass(frozen=True)
class Subscription:
    """A handler of one topic, and how to pick the Celery queue for an event of that topic."""

    handler: Handler
    queue_for: QueueSelector | None = None


_subscriptions: dict[str, list[Subscription]] = {}


def subscribe(topic: str, *, queue_for: QueueSelector | None = None) -> Callable[[Handler], Handler]:
    """Register an idempotent handler for a topic (used as a decorator, once per handler)."""

    def register(handler: Handler) -> Handler:
        subscriptions = _subscriptions.setdefault(topic, [])
        if all(s.handler is not handler for s in subscriptions):
            subscriptions.append(Subscription(handler=handler, queue_for=queue_for))
        return handler

    return register


def handlers_for(topic: str) -> list[Handler]:
    """The handlers registered for a topic."""
    return [s.handler for s in _subscriptions.get(topic, [])]


def _queue_for(topic: str, payload: dict) -> str:
    for subscription in _subscriptions.get(topic, []):
        if subscription.queue_for is not None:
            return subscription.queue_for(payload)
    return OutboxEvent.Queue.DEFAULT


def outbox_emit(*, topic: str, payload: dict) -> OutboxEvent:
    """Record an event in the current transaction; it is enqueued for delivery after commit."""
    event = OutboxEvent.objects.create(
        topic=topic, payload=payload, queue=_queue_for(topic, payload)
    )
    transaction.on_commit(lambda: outbox_enqueue(event_id=event.pk, queue=event.queue))
    return event


def outbox_enqueue(*, event_id: int, queue: str) -> bool:
    """Hand an event to Celery. Returns False (and leaves it to the sweeper) if the broker is down."""
    from portal.tasks import deliver_outbox_event_task

    try:
        deliver_outbox_event_task.apply_async(
            args=[event_id], queue=queue, retry=True, retry_policy={"max_retries": 0}
        )
    except Exception:  # the broker is unreachable; the sweeper re-drives the event
        logger.warning("outbox: could not enqueue event %s; the sweeper will retry", event_id)
        return False
    OutboxEvent.objects.filter(pk=event_id, enqueued_at__isnull=True).update(
        enqueued_at=timezone.now()
    )
    return True


def outbox_deliver(*, event_id: int) -> bool:
    """Run the handlers of one event exactly once; returns False if it was already delivered."""
    with transaction.atomic():
        event = (
            OutboxEvent.objects.select_for_update()
            .filter(pk=event_id, delivered_at__isnull=True)
            .first()
        )
        if event is None:
            return False
        for handler in handlers_for(event.topic):
            handler(event)
        event.delivered_at = timezone.now()
        event.attempts += 1
        event.save(update_fields=["delivered_at", "attempts"])
    return True


def outbox_record_failure(*, event_id: int, error: str) -> None:
    """Remember why a delivery failed (the event stays undelivered for the next attempt)."""
    OutboxEvent.objects.filter(pk=event_id).update(last_error=error[:2000])


def outbox_redrive(
    *,
    unsent_after: timedelta = timedelta(seconds=10),
    lost_after: timedelta = timedelta(seconds=60),
    limit: int = 500,
) -> int:
    """Enqueue again the undelivered events: never enqueued (broker was down) or enqueued long ago
    (the message was lost, e.g. a worker died holding it). Returns how many were enqueued."""
    now = timezone.now()
    stale = list(
        OutboxEvent.objects.filter(delivered_at__isnull=True)
        .filter(
            Q(enqueued_at__isnull=True, created_at__lte=now - unsent_after)
            | Q(enqueued_at__lte=now - lost_after)
        )
        .order_by("created_at")
        .values_list("pk", "queue")[:limit]
    )
    enqueued = 0
    for event_id, queue in stale:
        OutboxEvent.objects.filter(pk=event_id).update(enqueued_at=None)
        if not outbox_enqueue(event_id=event_id, queue=queue):
            break
        enqueued += 1
    return enqueued
