"""One shared Redis connection pool for the portal's own uses (rate limits, health)."""

from __future__ import annotations

from functools import cache

import redis
from django.conf import settings


@cache
def get_redis() -> redis.Redis:
    """A client on the configured Redis, with short timeouts so an outage fails fast."""
    return redis.Redis.from_url(
        settings.REDIS_URL, socket_timeout=0.5, socket_connect_timeout=0.5, health_check_interval=30
    )
