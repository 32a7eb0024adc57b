"""`GET /healthz`: can the portal reach its database and Redis, and is its periodic work running?

For load balancers, monitoring and CI: 503 when the database or Redis does not answer, or when
beat, the sweep, the re-drive or the workers of a queue have not been seen within twice their
period (core/heartbeat.py), naming what is stale.
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.heartbeat import stale_heartbeats

REDIS_TIMEOUT_SECONDS = 1

logger = logging.getLogger(__name__)


def _check_database() -> dict[str, Any]:
    """Run `SELECT 1` on the default database connection."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "not healthy"; the message says which
        # Drop a broken persistent connection so the next request reconnects.
        connection.close_if_unusable_or_obsolete()
        return {"ok": False, "error": _describe("database", exc)}
    return {"ok": True}


def _check_redis() -> dict[str, Any]:
    """PING the Redis the portal uses as broker, cache and channel layer."""
    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    except Exception as exc:  # any failure means "not healthy"; the message says which
        return {"ok": False, "error": _describe("redis", exc)}
    finally:
        client.close()
    return {"ok": True}


def _check_background() -> dict[str, Any]:
    """Which expected heartbeats are stale (none expected: always ok)."""
    try:
        stale = stale_heartbeats()
    except Exception as exc:  # Redis down: reported by its own check
        return {"ok": False, "error": _describe("heartbeats", exc)}
    if not stale:
        return {"ok": True}
    return {
        "ok": False,
        "stale": [
            {
                "name": s.name,
                "seconds_since_seen": None if s.age_seconds is None else round(s.age_seconds),
                "period_seconds": s.period_seconds,
            }
            for s in stale
        ],
    }


def _describe(component: str, exc: Exception) -> str:
    """Log a failed check in full; return a one-line description of it for the response.

    The endpoint is public, so outside DEBUG the response names only the exception type:
    driver messages can reveal internal host names and ports.
    """
    logger.warning("healthz: %s check failed: %s", component, exc)
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if settings.DEBUG and message:
        return f"{type(exc).__name__}: {message}"
    return type(exc).__name__


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with `{"status": "ok", ...}` if the database and Redis answer and no periodic work is
    stale, else 503 "degraded" with what failed."""
    database = _check_database()
    redis_status = _check_redis()
    background: dict[str, Any] = _check_background() if redis_status["ok"] else {"ok": False}
    healthy = database["ok"] and redis_status["ok"] and background["ok"]
    if background.get("stale"):
        logger.warning("healthz: stale: %s", ", ".join(s["name"] for s in background["stale"]))
    return JsonResponse(
        {
            "status": "ok" if healthy else "degraded",
            "database": database,
            "redis": redis_status,
            "background": background,
        },
        status=200 if healthy else 503,
    )
