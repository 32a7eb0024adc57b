"""What may be emitted into the outbox and who handles it: declared topics and subscriptions.

Each app declares its topics in one module (`liaison/topics.py`, `switchboard/topics.py`): a
name, the Celery queue its events go to (a name, or a function of the payload) and its retry
policy. Handlers subscribe to a declared topic (`handlers.py`). Emitting on a topic that is not
declared, or that no handler subscribes to, raises `TopicError`: an event nobody can ever
deliver is a programming error, not something to store and forget.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.outbox.models import OutboxEvent

Handler = Callable[["OutboxEvent"], None]
QueueSelector = Callable[[dict], str]
Filter = Callable[[dict], bool]

DEFAULT_QUEUE = "default"
# The re-drive treats an enqueued, undelivered event as lost this long after its longest retry
# wait: a retry waiting for its countdown is never enqueued a second time.
LOST_MARGIN = timedelta(seconds=60)


class TopicError(LookupError):
    """An event on a topic that is not declared, or that no handler subscribes to."""


@dataclass(frozen=True)
class RetryPolicy:
    """How failed deliveries of a topic are retried: at most `max_attempts` attempts in all,
    the n-th retry after about `backoff_seconds * 2**(n-1)` (jittered down to half), never more
    than `backoff_max_seconds`; then the event becomes a dead letter."""

    max_attempts: int = 6
    backoff_seconds: float = 1.0
    backoff_max_seconds: float = 30.0

    def countdown(self, attempts: int) -> float:
        """Seconds to wait before the retry that follows the `attempts`-th failure."""
        exponent = min(max(attempts - 1, 0), 32)
        base = min(self.backoff_seconds * 2**exponent, self.backoff_max_seconds)
        return base * (0.5 + random.random() / 2)  # noqa: S311 - jitter, not security

    @property
    def lost_after(self) -> timedelta:
        """How long after its last enqueue an undelivered event counts as lost (re-driven)."""
        return timedelta(seconds=self.backoff_max_seconds) + LOST_MARGIN


@dataclass(frozen=True)
class Topic:
    """A declared kind of event: its name, its queue (or a function of the payload choosing
    `urgent` or `default`), and how its failed deliveries are retried."""

    name: str
    queue: str | QueueSelector = DEFAULT_QUEUE
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    def queue_for(self, payload: dict) -> str:
        """The queue of one event of this topic."""
        return self.queue(payload) if callable(self.queue) else self.queue


@dataclass(frozen=True)
class Subscription:
    """A handler of one topic and the events of it that it wants.

    `queue_for` lets the app that handles an event pick its queue when the declaring app cannot
    know (liaison declares `legal_request.submitted`; the switchboard knows which clocks are
    urgent). `on_dead_letter` and `on_revive` let the handler's domain record follow its event
    (a webhook shown as dead, a notification as given up), in the outbox's transaction.
    """

    handler: Handler
    wants: Filter | None = None
    queue_for: QueueSelector | None = None
    on_dead_letter: Handler | None = None
    on_revive: Handler | None = None

    def accepts(self, payload: dict) -> bool:
        """Whether this handler wants this event."""
        return self.wants is None or self.wants(payload)


_topics: dict[str, Topic] = {}
_subscriptions: dict[str, list[Subscription]] = {}


def topic_declare(
    *, name: str, queue: str | QueueSelector = DEFAULT_QUEUE, retry: RetryPolicy | None = None
) -> Topic:
    """Declare a topic (at import time of the owner's `topics.py`) and return it.

    Declaring a name again returns the first declaration if it is the same, and raises if it
    differs: one name, one policy.
    """
    topic = Topic(name=name, queue=queue, retry=retry or RetryPolicy())
    declared = _topics.setdefault(name, topic)
    if declared != topic:
        raise TopicError(f"outbox topic {name!r} is already declared differently")
    return declared


def topic_get(topic: Topic | str) -> Topic:
    """The declaration of a topic, given by itself or by name; `TopicError` if undeclared."""
    name = topic.name if isinstance(topic, Topic) else topic
    declared = _topics.get(name)
    if declared is None or (isinstance(topic, Topic) and declared != topic):
        raise TopicError(f"outbox topic {name!r} is not declared (see core.outbox.topics)")
    return declared


def topics_declared() -> list[Topic]:
    """Every declared topic."""
    return list(_topics.values())


def subscribe(
    topic: Topic | str,
    *,
    wants: Filter | None = None,
    queue_for: QueueSelector | None = None,
    on_dead_letter: Handler | None = None,
    on_revive: Handler | None = None,
) -> Callable[[Handler], Handler]:
    """Register an idempotent handler for a declared topic (a decorator, once per handler).

    `wants` narrows the events it is given. An event that no handler wants is not stored at all:
    a deliberate filter, so that announcing every change costs nothing where nobody listens
    (`legal_request.status_changed` is emitted for each transition, handled for a few).
    """
    name = topic_get(topic).name

    def register(handler: Handler) -> Handler:
        subscriptions = _subscriptions.setdefault(name, [])
        if all(s.handler is not handler for s in subscriptions):
            subscriptions.append(
                Subscription(
                    handler=handler,
                    wants=wants,
                    queue_for=queue_for,
                    on_dead_letter=on_dead_letter,
                    on_revive=on_revive,
                )
            )
        return handler

    return register


def subscriptions_for(topic: Topic | str, payload: dict) -> list[Subscription]:
    """The subscriptions of a topic that want this event; `TopicError` if the topic is not
    declared or has no subscription at all (then no event of it could ever be delivered)."""
    name = topic_get(topic).name
    subscriptions = _subscriptions.get(name)
    if not subscriptions:
        raise TopicError(f"outbox topic {name!r} has no subscribed handler")
    return [s for s in subscriptions if s.accepts(payload)]
