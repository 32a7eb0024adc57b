"""Fixed-window rate limits kept in Redis, shared by every web process."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import redis

from core.redis import get_redis

logger = logging.getLogger(__name__)
WINDOW_SECONDS = 60


@dataclass(frozen=True)
class RateDecision:
    """Whether a call may go ahead, and when to come back if not."""

    allowed: bool
    limit: int
    retry_after: int


def rate_limit_hit(*, bucket: str, limit: int, window: int = WINDOW_SECONDS) -> RateDecision:
    """Count one call in `bucket`'s current window. Fails open (allows) when Redis is down, so
    that an outage of the cache never blocks an urgent legal request."""
    now = int(time.time())
    window_start = now - now % window
    key = f"liaison:rl:{bucket}:{window_start}"
    try:
        pipe = get_redis().pipeline()
        pipe.incr(key)
        pipe.expire(key, window + 1)
        count = int(pipe.execute()[0])
    except redis.RedisError:
        logger.warning("rate limit: Redis unreachable, allowing the call")
        return RateDecision(allowed=True, limit=limit, retry_after=0)
    return RateDecision(
        allowed=count <= limit, limit=limit, retry_after=window_start + window - now
    )
