"""Django settings for the benchmark server: the portal's settings plus the bench URLconf.

Only what a benchmark needs differs from production: the plain comparison view is routed (never
in production URLs) and the per-token rate limit is set so high that it never refuses a call,
while every call still pays its Redis round-trip.
"""

import os

from portal.settings import *  # noqa: F403
from portal.settings import DATABASES, LOGGING

ROOT_URLCONF = "bench.urls"

# The load generator sends thousands of calls a minute with one token; the counter is still
# incremented in Redis on every call (GraphQL and plain view alike), it just never says no.
API_RATE_LIMIT_PER_MINUTE = 10**9

# A request log line per call would measure the terminal, not the portal.
LOGGING = {**LOGGING, "root": {**LOGGING["root"], "level": "WARNING"}}

if os.environ.get("BENCH_DB_POOL") == "1":
    # Under ASGI, Django runs each request's sync code in a thread of its own
    # (ThreadSensitiveContext), so a persistent connection (CONN_MAX_AGE) is never reused: every
    # request connects to PostgreSQL anew. A process-wide psycopg pool is the fix; the benchmark
    # measures both ways.
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool refuses persistent ones
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 2, "max_size": 8}
