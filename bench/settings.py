"""Django settings for the benchmark server: the portal's settings plus the bench URLconf.

Only what a benchmark needs differs from production: the plain comparison view is routed (never
in production URLs) and the per-token rate limit is set so high that it never refuses a call,
while every call still pays its Redis round-trip.
"""

from portal.settings import *  # noqa: F403
from portal.settings import LOGGING

ROOT_URLCONF = "bench.urls"

# The load generator sends thousands of calls a minute with one token; the counter is still
# incremented in Redis on every call (GraphQL and plain view alike), it just never says no.
API_RATE_LIMIT_PER_MINUTE = 10**9

# A request log line per call would measure the terminal, not the portal.
LOGGING = {**LOGGING, "root": {**LOGGING["root"], "level": "WARNING"}}

# The database connection handling comes from the portal's settings: DB_POOL=1 (what `make run`
# gives the web process) or DB_POOL=0 (persistent connections, which ASGI never reuses); the
# benchmark measures both ways (bench/graphql_api.py, --db).
