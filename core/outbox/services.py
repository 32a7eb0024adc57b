"""The transactional outbox: emit an event inside a transaction, deliver it after commit.

`outbox_emit` writes the event row in the caller's transaction and asks Celery to deliver it on
its topic's queue once that transaction commits. If the broker is unreachable the row simply
stays undelivered and the re-drive (`outbox_redrive`, on its own beat entry) enqueues it again.
Delivery locks the row, runs the topic's handlers and marks it delivered in one transaction, so
handlers see each event effectively once even when Celery delivers it twice. A failed delivery
is retried on the `retry` queue with the topic's backoff, up to its `max_attempts`, then parked
as a `DeadLetter`, which staff revive from admin (`dead_letter_revive`), whatever the topic.
"""

from __future__ import annotations

import functools
import logging
import time
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from core import metrics, rawsql
from core.outbox.models import DeadLetter, OutboxEvent
from core.outbox.topics import (
    RetryPolicy,
    Subscription,
    Topic,
    TopicError,
    subscribe,
    subscriptions_for,
    topic_get,
    topics_declared,
)

__all__ = [
    "DeliveryFailed",
    "DeliveryRefused",
    "dead_letter_revive",
    "outbox_deliver",
    "outbox_delivery_failed",
    "outbox_emit",
    "outbox_enqueue",
    "outbox_redrive",
    "subscribe",  # handlers may import it from here or from core.outbox.topics
]

logger = logging.getLogger(__name__)

# A failed enqueue is tried again by the re-drive after this long.
UNSENT_AFTER = timedelta(seconds=10)
REDRIVE_BATCH = 500
# After a long broker outage thousands of events wait; one re-drive sends them in batches for
# up to this long (the next beat run does the rest).
REDRIVE_BUDGET_SECONDS = 20.0


class DeliveryFailed(Exception):
    """Raised by a handler that recorded its own failed attempt (a webhook answered 500, the mail
    server refused): what the handler wrote is committed, and the event is retried like after
    any other failure. Any other exception rolls the handler's writes back."""


class DeliveryRefused(DeliveryFailed):
    """A failure that waiting will not cure (a webhook target the egress policy refuses): what
    the handler wrote is committed and the event becomes a dead letter at once, for staff to
    revive once the cause is fixed."""


def _policy(topic_name: str) -> RetryPolicy:
    """The retry policy of an event's topic."""
    try:
        return topic_get(topic_name).retry
    except TopicError:  # an event of a topic no longer declared: retried, then dead-lettered
        return RetryPolicy()


def outbox_emit(*, topic: Topic | str, payload: dict) -> OutboxEvent | None:
    """Record an event in the current transaction; it is enqueued for delivery after commit.

    Raises `TopicError` if the topic is not declared or has no handler. Returns None, storing
    nothing, when no handler *wants* this event (their `wants` filters all say no).
    """
    declared = topic_get(topic)
    wanted_by = subscriptions_for(declared, payload)
    if not wanted_by:
        return None
    chosen = [s.queue_for(payload) for s in wanted_by if s.queue_for is not None]
    queue: str = chosen[0] if chosen else declared.queue_for(payload)
    if OutboxEvent.Queue.URGENT in chosen:  # one handler's urgency is never lost to another's
        queue = OutboxEvent.Queue.URGENT
    # Marked enqueued up front (one UPDATE fewer per event); a failed enqueue clears the mark
    # so that the re-drive sends the event soon.
    event = OutboxEvent.objects.create(
        topic=declared.name, payload=payload, queue=queue, enqueued_at=timezone.now()
    )
    transaction.on_commit(lambda: outbox_enqueue(event_id=event.pk, queue=queue, mark=False))
    return event


def outbox_enqueue(*, event_id: int, queue: str, mark: bool = True) -> bool:
    """Hand an event to Celery; False (the re-drive will retry) if the broker is unreachable.

    `mark` records the time it was enqueued (the emitter has already done so)."""
    from core.outbox.tasks import deliver_outbox_event_task

    try:
        deliver_outbox_event_task.apply_async(
            args=[event_id], queue=queue, retry=True, retry_policy={"max_retries": 0}
        )
    except Exception as error:  # the broker is unreachable; the re-drive sends the event
        logger.warning(
            "outbox: could not enqueue event %s (%r); the re-drive will retry", event_id, error
        )
        OutboxEvent.objects.filter(pk=event_id, delivered_at__isnull=True).update(enqueued_at=None)
        return False
    if mark:
        OutboxEvent.objects.filter(pk=event_id).update(enqueued_at=timezone.now())
    return True


def outbox_deliver(*, event_id: int) -> bool:
    """Run the handlers of one event exactly once; False if it is delivered or dead already.

    Raises what a handler raised (the task then calls `outbox_delivery_failed`); after a
    `DeliveryFailed` the handlers' own records of the attempt are committed first.
    """
    failure: DeliveryFailed | None = None
    with transaction.atomic():
        event = _claim(event_id)
        if event is None:
            return False
        try:
            for subscription in subscriptions_for(event.topic, event.payload):
                subscription.handler(event)
        except DeliveryFailed as error:
            failure = error
        if failure is None:
            transaction.on_commit(functools.partial(_observe_delivery, event))
            return True
        # Not delivered after all: the handlers' records are kept, the mark is taken back.
        OutboxEvent.objects.filter(pk=event.pk).update(
            delivered_at=None, attempts=F("attempts") - 1
        )
    raise failure  # after the commit: the handlers' records of the attempt are kept


# Claim and mark delivered in one statement (it was a SELECT ... FOR UPDATE, then an UPDATE):
# the UPDATE takes the row lock, so a duplicate delivery waits for this transaction, then finds
# the event delivered (0 rows) or, after a rollback, claims it itself. A failed delivery rolls
# the mark back with everything else (or takes it back, after a `DeliveryFailed`).
@functools.cache
def _claim_sql() -> str:
    table = OutboxEvent._meta.db_table
    return f"""
    UPDATE {table}
       SET delivered_at = %s, attempts = attempts + 1
     WHERE id = %s AND delivered_at IS NULL AND dead_lettered_at IS NULL
 RETURNING {rawsql.select_list(OutboxEvent, table)}
"""  # noqa: S608 - the names are the model's, the values are parameters


def _claim(event_id: int) -> OutboxEvent | None:
    """Lock an undelivered, live event and mark it delivered (in the caller's transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(_claim_sql(), [timezone.now(), event_id])
        row = cursor.fetchone()
    return rawsql.from_row(OutboxEvent, row) if row is not None else None


def _observe_delivery(event: OutboxEvent) -> None:
    """The delivery's latency, from the event's commit to the delivery's (for /metrics)."""
    seconds = (timezone.now() - event.created_at).total_seconds()
    metrics.outbox_delivery_observe(topic=event.topic, queue=event.queue, seconds=seconds)


def outbox_delivery_failed(
    *, event_id: int, error: str, task_name: str, permanent: bool = False
) -> float | None:
    """Count a failed delivery. Returns the seconds to wait before the retry, or None when
    there is nothing to retry: the topic's attempts ran out or the failure is `permanent` (the
    event is now a dead letter), or the event was delivered or dead-lettered meanwhile by a
    duplicate."""
    with transaction.atomic():
        event = (
            OutboxEvent.objects.select_for_update()
            .filter(pk=event_id, delivered_at__isnull=True, dead_lettered_at__isnull=True)
            .first()
        )
        if event is None:
            return None
        now = timezone.now()
        policy = _policy(event.topic)
        event.attempts += 1
        event.last_error = error[:2000]
        event.enqueued_at = now  # the retry is on its way: the re-drive waits `lost_after`
        if event.attempts < policy.max_attempts and not permanent:
            event.save(update_fields=["attempts", "last_error", "enqueued_at"])
            return policy.countdown(event.attempts)
        event.dead_lettered_at = now
        event.save(update_fields=["attempts", "last_error", "enqueued_at", "dead_lettered_at"])
        _dead_letter_record(event=event, error=error, task_name=task_name)
        for subscription in _wanting(event):
            if subscription.on_dead_letter is not None:
                subscription.on_dead_letter(event)
    logger.error("outbox: event %s (%s) is dead-lettered: %s", event_id, event.topic, error)
    return None


def _wanting(event: OutboxEvent) -> list[Subscription]:
    """The subscriptions that want this event (none if its topic is no longer declared)."""
    try:
        return subscriptions_for(event.topic, event.payload)
    except TopicError:
        return []


def _dead_letter_record(*, event: OutboxEvent, error: str, task_name: str) -> DeadLetter:
    """Park an event that ran out of attempts; idempotent while its letter is open."""
    key = f"outbox:{event.pk}"
    try:
        with transaction.atomic():
            return DeadLetter.objects.create(
                key=key,
                task_name=task_name,
                args=[event.pk],
                queue=event.queue,
                error=error[:5000],
                attempts=event.attempts,
                outbox_event=event,
            )
    except IntegrityError:  # already parked (a duplicate delivery ran out at the same time)
        return DeadLetter.objects.get(key=key, redriven_at__isnull=True)


def dead_letter_revive(*, dead_letter_id: int) -> bool:
    """Give a dead letter's event a fresh set of attempts and enqueue it (the staff action in
    admin, for every topic). False if the letter was revived already or has no event."""
    with transaction.atomic():
        letter = (
            DeadLetter.objects.select_for_update()
            .filter(pk=dead_letter_id, redriven_at__isnull=True, outbox_event__isnull=False)
            .first()
        )
        if letter is None:
            return False
        letter.redriven_at = timezone.now()
        letter.save(update_fields=["redriven_at"])
        event = OutboxEvent.objects.select_for_update().get(dead_letters=letter)
        if event.delivered_at is not None:
            return True
        event.dead_lettered_at = None
        event.attempts = 0
        event.enqueued_at = timezone.now()
        event.save(update_fields=["dead_lettered_at", "attempts", "enqueued_at"])
        for subscription in _wanting(event):
            if subscription.on_revive is not None:
                subscription.on_revive(event)
        event_id, queue = event.pk, event.queue
        transaction.on_commit(lambda: outbox_enqueue(event_id=event_id, queue=queue))
    return True


def _redrive_batch(*, now: datetime, limit: int) -> tuple[int, bool]:
    """Enqueue up to `limit` stale events; (how many, whether the broker took them all)."""
    declared = topics_declared()
    lost = Q(enqueued_at__lte=now - RetryPolicy().lost_after) & ~Q(
        topic__in=[topic.name for topic in declared]
    )
    for topic in declared:  # each topic's own patience: its retries wait up to its backoff
        lost |= Q(topic=topic.name, enqueued_at__lte=now - topic.retry.lost_after)
    stale = list(
        OutboxEvent.objects.filter(delivered_at__isnull=True, dead_lettered_at__isnull=True)
        .filter(Q(enqueued_at__isnull=True, created_at__lte=now - UNSENT_AFTER) | lost)
        .order_by("created_at")
        .values_list("pk", "queue")[:limit]
    )
    for enqueued, (event_id, queue) in enumerate(stale):
        if not outbox_enqueue(event_id=event_id, queue=queue):
            return enqueued, False  # the broker is still down: the next run goes on
    return len(stale), True


def outbox_redrive(
    *, limit: int = REDRIVE_BATCH, budget_seconds: float = REDRIVE_BUDGET_SECONDS
) -> int:
    """Enqueue again the undelivered events: never enqueued (the broker was down) or enqueued
    longer ago than their topic's retries wait (the message was lost, e.g. with its worker).
    Dead letters are left alone. Returns how many were enqueued."""
    deadline = time.monotonic() + budget_seconds
    total = 0
    while True:
        batch, broker_up = _redrive_batch(now=timezone.now(), limit=limit)
        total += batch
        if not broker_up or batch < limit or time.monotonic() > deadline:
            return total
