"""Rate limits kept in Redis, shared by every web process.

A bucket counts calls in a window that starts with its first call and lasts `window` seconds
(the key's TTL, set atomically with the first count by a Lua script), so no clock is shared
between web processes and a bucket never carries counts across an epoch-aligned boundary.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache

import redis
from redis.commands.core import Script

from core.redis import get_redis

logger = logging.getLogger(__name__)
WINDOW_SECONDS = 60
KEY_PREFIX = "liaison:rl:"

# INCR, and start the window (EXPIRE) on the first count or on a key that somehow lost its TTL.
_HIT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""
_PEEK_SCRIPT = """
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
local ttl = redis.call('TTL', KEYS[1])
return {count, ttl}
"""


@dataclass(frozen=True)
class RateDecision:
    """Whether a call may go ahead, and when to come back if not."""

    allowed: bool
    limit: int
    retry_after: int
    window: int = WINDOW_SECONDS


def bucket_key(bucket: str) -> str:
    """The Redis key of a bucket (tests clear buckets by it)."""
    return f"{KEY_PREFIX}{bucket}"


@cache
def _script(source: str) -> Script:
    return get_redis().register_script(source)  # EVALSHA, loading the script when missing


def _run(source: str, bucket: str, window: int) -> tuple[int, int] | None:
    try:
        count, ttl = _script(source)(keys=[bucket_key(bucket)], args=[window])
    except redis.RedisError as error:
        logger.warning("rate limit: Redis unreachable, allowing the call (%r)", error)
        return None
    return int(count), max(int(ttl), 0)


def rate_limit_hit(*, bucket: str, limit: int, window: int = WINDOW_SECONDS) -> RateDecision:
    """Count one call in `bucket`'s current window. Fails open (allows) when Redis is down, so
    that an outage of the cache never blocks an urgent legal request."""
    counted = _run(_HIT_SCRIPT, bucket, window)
    if counted is None:
        return RateDecision(allowed=True, limit=limit, retry_after=0, window=window)
    count, ttl = counted
    return RateDecision(allowed=count <= limit, limit=limit, retry_after=ttl, window=window)


def rate_limit_peek(*, bucket: str, limit: int, window: int = WINDOW_SECONDS) -> RateDecision:
    """Whether `bucket` still has room in its window, without counting (for limits on failures:
    check before the attempt, `rate_limit_hit` after a failed one, whose decision says whether
    that failure was still within the limit). Fails open like the hit."""
    counted = _run(_PEEK_SCRIPT, bucket, window)
    if counted is None:
        return RateDecision(allowed=True, limit=limit, retry_after=0, window=window)
    count, ttl = counted
    return RateDecision(allowed=count < limit, limit=limit, retry_after=ttl, window=window)


def describe_limit(decision: RateDecision, what: str) -> str:
    """The client-facing sentence for a refusal: "Rate limit of 600 requests a minute
    exceeded; retry in 12 s."."""
    per = "a minute" if decision.window == WINDOW_SECONDS else f"per {decision.window} s"
    return (
        f"Rate limit of {decision.limit} {what} {per} exceeded; retry in {decision.retry_after} s."
    )
