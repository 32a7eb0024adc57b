"""`/metrics`: what an operator watches, in Prometheus's text format, for staff and scrapers only.

Two kinds of figures, both correct with many processes on many machines:
- events counted where they happen (an outbox delivery's latency, a hotline delivery, a
  subscription resumed after a reconnect), with prometheus_client: with
  PROMETHEUS_MULTIPROC_DIR set (one directory per machine, shared by its web and worker
  processes, emptied when the node starts) every process writes its own file and a scrape sums
  them (prometheus_client's multiprocess mode); without it, the answering process's own;
- state read at each scrape from what every node shares (PostgreSQL, Redis): queue depths,
  the outbox backlog and dead letters, heartbeats' ages, and what the apps above register
  (`register_collector`, from their AppConfig.ready()): open tickets per team, breaches, the
  audit log's unsealed entries. Any node's scrape gives the whole deployment's state.

django-prometheus adds the HTTP figures (requests, latencies, responses by view and status).

Access: a staff member signed in with the second factor, or `Authorization: Bearer
<METRICS_TOKEN>` (a setting; without it, only staff sessions). Anyone else: 401 or 403.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Callable, Iterable

import redis
from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from core.http import bearer_token
from core.redis import get_redis
from core.signin import staff_signed_in

logger = logging.getLogger(__name__)

QUEUES = ("urgent", "default", "retry")  # as declared in portal/celery.py

OUTBOX_DELIVERY_LATENCY = Histogram(
    "liaison_outbox_delivery_latency_seconds",
    "From an outbox event's commit to the commit of its delivery, per topic and queue; "
    'topic="legal_request.submitted" is the routing latency of a request.',
    ["topic", "queue"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600),
)
HOTLINE_DELIVERIES = Counter(
    "liaison_hotline_deliveries",
    "Hotline messages pushed to subscribers (a message to n subscribers counts n).",
)
HOTLINE_SUBSCRIPTIONS = Counter(
    "liaison_hotline_subscriptions",
    'Hotline message subscriptions started: kind="resume" (with afterSeq: a client that '
    'reconnected) or kind="new".',
    ["kind"],
)

ScrapeCollector = Callable[[], Iterable[Metric]]
_collectors: dict[str, ScrapeCollector] = {}


def register_collector(name: str, collector: ScrapeCollector) -> None:
    """Add figures read at each scrape (from the apps' AppConfig.ready(); idempotent by name)."""
    _collectors[name] = collector


def outbox_delivery_observe(*, topic: str, queue: str, seconds: float) -> None:
    """Record one outbox delivery's latency (called once it committed)."""
    OUTBOX_DELIVERY_LATENCY.labels(topic=topic, queue=queue).observe(max(seconds, 0.0))


class _Scrape(Collector):
    """The registered scrape-time collectors; one that fails reports itself down, not the rest."""

    def collect(self) -> Iterable[Metric]:
        up = GaugeMetricFamily(
            "liaison_metrics_collector_up",
            "Whether a scrape-time collector could read its figures (1) or failed (0).",
            labels=["collector"],
        )
        for name, collector in sorted(_collectors.items()):
            try:
                metrics = list(collector())
            except Exception:
                logger.exception("metrics: the %s collector failed", name)
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            yield from metrics
        yield up


_SCRAPE = _Scrape()
REGISTRY.register(_SCRAPE)


def _registry() -> CollectorRegistry:
    directory = getattr(settings, "PROMETHEUS_MULTIPROC_DIR", "")
    if not directory:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=directory)
    registry.register(_SCRAPE)
    return registry


def metrics_allowed(request: HttpRequest) -> int:
    """200 if the request may read the metrics, else the status to refuse it with."""
    token = bearer_token(request)
    expected = getattr(settings, "METRICS_TOKEN", "") or ""
    if token is not None:
        return 200 if expected and hmac.compare_digest(token, expected) else 403
    if staff_signed_in(request.user, request.session):
        return 200
    return 403 if request.user.is_authenticated else 401


def metrics_view(request: HttpRequest) -> HttpResponse:
    """GET /metrics: every figure, in Prometheus's text exposition format."""
    status = metrics_allowed(request)
    if status != 200:
        response = HttpResponse("Not allowed.\n", status=status, content_type="text/plain")
        if status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)


# -- the ground floor's own scrape-time figures ---------------------------------------------


def _queues() -> Iterable[Metric]:
    depth = GaugeMetricFamily(
        "liaison_queue_depth", "Messages waiting in a Celery queue (Redis).", labels=["queue"]
    )
    pipe = _broker().pipeline(transaction=False)
    for queue in QUEUES:
        pipe.llen(queue)
    for queue, length in zip(QUEUES, pipe.execute(), strict=True):
        depth.add_metric([queue], float(length))
    yield depth


def _broker() -> redis.Redis:
    """The broker's Redis (Celery queues are lists named after the queue)."""
    if settings.CELERY_BROKER_URL == settings.REDIS_URL:
        return get_redis()
    return redis.Redis.from_url(
        settings.CELERY_BROKER_URL, socket_timeout=0.5, socket_connect_timeout=0.5
    )


def _outbox() -> Iterable[Metric]:
    from core.outbox.models import DeadLetter, OutboxEvent

    backlog = GaugeMetricFamily(
        "liaison_outbox_undelivered",
        "Outbox events not delivered yet (and not dead), per topic.",
        labels=["topic"],
    )
    rows = (
        OutboxEvent.objects.filter(delivered_at__isnull=True, dead_lettered_at__isnull=True)
        .values("topic")
        .annotate(n=Count("id"))
    )
    for row in rows:
        backlog.add_metric([row["topic"]], row["n"])
    yield backlog
    yield GaugeMetricFamily(
        "liaison_dead_letters_open",
        "Dead letters not revived yet (work that ran out of attempts: act on each).",
        value=DeadLetter.objects.filter(redriven_at__isnull=True).count(),
    )


def _heartbeats() -> Iterable[Metric]:
    from core.heartbeat import KEY_PREFIX

    expected: dict[str, float] = getattr(settings, "HEARTBEATS", {})
    age = GaugeMetricFamily(
        "liaison_heartbeat_age_seconds",
        "Seconds since each periodic job (and each queue's workers) last ran.",
        labels=["name"],
    )
    period = GaugeMetricFamily(
        "liaison_heartbeat_period_seconds",
        "The period each heartbeat is expected at.",
        labels=["name"],
    )
    names = list(expected)
    values = get_redis().mget([f"{KEY_PREFIX}{name}" for name in names]) if names else []
    now = time.time()
    for name, raw in zip(names, values, strict=True):
        period.add_metric([name], float(expected[name]))
        if raw is not None:
            age.add_metric([name], now - float(raw))
    yield age
    yield period


register_collector("queues", _queues)
register_collector("outbox", _outbox)
register_collector("heartbeats", _heartbeats)
