"""`GET /healthz`: is the portal able to reach its database and Redis? For load balancers and CI."""

from __future__ import annotations

import logging
from typing import Any

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

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
    """200 with `{"status": "ok", ...}` if the database and Redis answer, else 503 "degraded"."""
    database = _check_database()
    redis_status = _check_redis()
    healthy = database["ok"] and redis_status["ok"]
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "database": database, "redis": redis_status},
        status=200 if healthy else 503,
    )
