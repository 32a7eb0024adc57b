"""One shared Redis connection pool for the portal's own uses (rate limits, health)."""

from __future__ import annotations

from functools import cache

import redis
from django.conf import settings

# How long a call waits for a free connection of the pool when all are in use.
POOL_WAIT_SECONDS = 1.0


@cache
def get_redis() -> redis.Redis:
    """A client on the configured Redis, with short timeouts so an outage fails fast.

    Its pool waits for a free connection (up to POOL_WAIT_SECONDS) when all REDIS_MAX_CONNECTIONS
    are in use. redis-py's default pool raises MaxConnectionsError at once instead, and Django
    runs each request in a thread of its own: a burst of a few hundred concurrent requests made
    the rate limits, which allow a call when Redis fails, let every call past the 100th through.
    """
    pool = redis.BlockingConnectionPool.from_url(
        settings.REDIS_URL,
        max_connections=int(settings.REDIS_MAX_CONNECTIONS),
        timeout=POOL_WAIT_SECONDS,
        socket_timeout=0.5,
        socket_connect_timeout=0.5,
        health_check_interval=30,
    )
    return redis.Redis(connection_pool=pool)
