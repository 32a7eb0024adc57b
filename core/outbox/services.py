"""The transactional outbox: emit an event inside a transaction, deliver it after commit.

`outbox_emit` writes the event row in the caller's transaction and asks Celery to deliver it once
that transaction commits. If the broker is unreachable the row simply stays undelivered and the
re-drive sweeper (`outbox_redrive`) enqueues it again later. Delivery locks the row, runs the
topic's handlers and marks it delivered in one transaction, so handlers see each event effectively
once even when Celery delivers it twice. A delivery that keeps failing is retried a bounded number
of times (`OUTBOX_MAX_ATTEMPTS`, see portal/tasks.py) and then parked as a `DeadLetter`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from core.outbox.models import DeadLetter, OutboxEvent

logger = logging.getLogger(__name__)

Handler = Callable[[OutboxEvent], None]
QueueSelector = Callable[[dict], str]
Filter = Callable[[dict], bool]


@dataclass(frozen=True)
class Subscription:
    """A handler of one topic, the events of it that it wants, and the Celery queue for them."""

    handler: Handler
    queue_for: QueueSelector | None = None
    wants: Filter | None = None

    def accepts(self, payload: dict) -> bool:
        return self.wants is None or self.wants(payload)


_subscriptions: dict[str, list[Subscription]] = {}


def subscribe(
    topic: str, *, queue_for: QueueSelector | None = None, wants: Filter | None = None
) -> Callable[[Handler], Handler]:
    """Register an idempotent handler for a topic (used as a decorator, once per handler).

    `wants` narrows the events it is given: an event no handler wants is not stored at all, so
    announcing every change costs nothing where nobody listens.
    """

    def register(handler: Handler) -> Handler:
        subscriptions = _subscriptions.setdefault(topic, [])
        if all(s.handler is not handler for s in subscriptions):
            subscriptions.append(Subscription(handler=handler, queue_for=queue_for, wants=wants))
        return handler

    return register


def subscriptions_for(topic: str, payload: dict) -> list[Subscription]:
    """The subscriptions of a topic that want this event."""
    return [s for s in _subscriptions.get(topic, []) if s.accepts(payload)]


def handlers_for(topic: str, payload: dict) -> list[Handler]:
    """The handlers of a topic that want this event."""
    return [s.handler for s in subscriptions_for(topic, payload)]


def outbox_emit(*, topic: str, payload: dict) -> OutboxEvent | None:
    """Record an event in the current transaction; it is enqueued for delivery after commit.

    Returns None, storing nothing, when no handler wants the event.
    """
    wanted_by = subscriptions_for(topic, payload)
    if not wanted_by:
        return None
    queue = next(
        (s.queue_for(payload) for s in wanted_by if s.queue_for is not None),
        OutboxEvent.Queue.DEFAULT,
    )
    # Marked enqueued up front (one UPDATE fewer per event); a failed enqueue clears the mark
    # so that the sweeper re-drives the event soon.
    event = OutboxEvent.objects.create(
        topic=topic, payload=payload, queue=queue, enqueued_at=timezone.now()
    )
    transaction.on_commit(lambda: outbox_enqueue(event_id=event.pk, queue=queue, mark=False))
    return event


def outbox_enqueue(*, event_id: int, queue: str, mark: bool = True) -> bool:
    """Hand an event to Celery; False (the sweeper will retry) if the broker is unreachable.

    `mark` records the time it was enqueued (the emitter has already done so)."""
    from core.outbox.tasks import deliver_outbox_event_task

    try:
        deliver_outbox_event_task.apply_async(
            args=[event_id], queue=queue, retry=True, retry_policy={"max_retries": 0}
        )
    except Exception as error:  # the broker is unreachable; the sweeper re-drives the event
        logger.warning(
            "outbox: could not enqueue event %s (%r); the sweeper will retry", event_id, error
        )
        OutboxEvent.objects.filter(pk=event_id, delivered_at__isnull=True).update(enqueued_at=None)
        return False
    if mark:
        OutboxEvent.objects.filter(pk=event_id).update(enqueued_at=timezone.now())
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
        for handler in handlers_for(event.topic, event.payload):
            handler(event)
        event.delivered_at = timezone.now()
        event.attempts += 1
        event.save(update_fields=["delivered_at", "attempts"])
    return True


def outbox_record_failure(*, event_id: int, error: str) -> int:
    """Remember why a delivery failed (the event stays undelivered for the next attempt).

    Returns how many attempts the event has had, this one included.
    """
    OutboxEvent.objects.filter(pk=event_id).update(
        last_error=error[:2000], attempts=F("attempts") + 1, enqueued_at=timezone.now()
    )
    attempts = OutboxEvent.objects.filter(pk=event_id).values_list("attempts", flat=True).first()
    return attempts or 0


def outbox_max_attempts() -> int:
    """How many failed deliveries an event gets before it becomes a dead letter."""
    return int(getattr(settings, "OUTBOX_MAX_ATTEMPTS", 6))


def dead_letter_record(
    *,
    key: str,
    task_name: str,
    args: list,
    queue: str,
    error: str,
    attempts: int,
    outbox_event_id: int | None = None,
) -> DeadLetter:
    """Park a task that ran out of retries; idempotent per key while the letter is open."""
    try:
        with transaction.atomic():
            return DeadLetter.objects.create(
                key=key,
                task_name=task_name,
                args=args,
                queue=queue,
                error=error[:5000],
                attempts=attempts,
                outbox_event_id=outbox_event_id,
            )
    except IntegrityError:  # already parked (a duplicate delivery ran out at the same time)
        return DeadLetter.objects.get(key=key, redriven_at__isnull=True)


def outbox_dead_letter(*, event_id: int, error: str, task_name: str) -> DeadLetter:
    """Stop retrying an event: mark it dead-lettered (the re-drive skips it) and park it."""
    with transaction.atomic():
        event = OutboxEvent.objects.select_for_update().get(pk=event_id)
        if event.dead_lettered_at is None:
            event.dead_lettered_at = timezone.now()
            event.save(update_fields=["dead_lettered_at"])
        letter = dead_letter_record(
            key=f"outbox:{event_id}",
            task_name=task_name,
            args=[event_id],
            queue=event.queue,
            error=error,
            attempts=event.attempts,
            outbox_event_id=event_id,
        )
    logger.error("outbox: event %s (%s) is dead-lettered: %s", event_id, event.topic, error)
    return letter


def outbox_revive(*, letter: DeadLetter) -> bool:
    """Give a dead-lettered event a fresh set of attempts and enqueue it (staff action)."""
    if letter.outbox_event_id is None or letter.redriven_at is not None:
        return False
    with transaction.atomic():
        OutboxEvent.objects.filter(pk=letter.outbox_event_id, delivered_at__isnull=True).update(
            dead_lettered_at=None, attempts=0, enqueued_at=None
        )
        DeadLetter.objects.filter(pk=letter.pk).update(redriven_at=timezone.now())
        event = OutboxEvent.objects.get(pk=letter.outbox_event_id)
        if event.delivered_at is None:
            transaction.on_commit(lambda: outbox_enqueue(event_id=event.pk, queue=event.queue))
    return True


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
        OutboxEvent.objects.filter(delivered_at__isnull=True, dead_lettered_at__isnull=True)
        .filter(
            Q(enqueued_at__isnull=True, created_at__lte=now - unsent_after)
            | Q(enqueued_at__lte=now - lost_after)
        )
        .order_by("created_at")
        .values_list("pk", "queue")[:limit]
    )
    enqueued = 0
    for event_id, queue in stale:
        if not outbox_enqueue(event_id=event_id, queue=queue):
            break
        enqueued += 1
    return enqueued
