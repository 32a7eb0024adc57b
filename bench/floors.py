"""The floors of the machine in this run: what one Redis round trip, one PostgreSQL insert and
commit, and a second of pure Python cost here and now, so that a run's figures can be read
against the machine they ran on (the same 2-core kind is not always equally fast: issue 14's
calibration measured a Redis round trip at 0.02-0.07 ms and an insert + commit at 0.28 ms).

`python -m bench floors`: 2,000 Redis PINGs and 500 INSERT + COMMIT on a temporary table, over
loopback to the servers of REDIS_URL and DATABASE_URL, and a fixed pure-Python loop; p50/p99 of
each. Recorded for the summary table (bench/summary.py) and printed.
"""

from __future__ import annotations

import time

import psycopg
import redis

from bench.graphql_api import _base_urls
from bench.summary import record
from bench.switchboard import _percentile

PINGS = 2000
COMMITS = 500
PYTHON_LOOP = 2_000_000


def main() -> int:
    """Measure the three floors; 0 (a floor has no target)."""
    database_url, redis_url = _base_urls()  # the environment's, else the embedded servers'
    client = redis.Redis.from_url(redis_url)
    pings = []
    for _ in range(PINGS):
        started = time.perf_counter()
        client.ping()
        pings.append(time.perf_counter() - started)
    with psycopg.connect(database_url) as connection:
        connection.execute("CREATE TEMPORARY TABLE bench_floor (n int)")
        connection.commit()
        commits = []
        for n in range(COMMITS):
            started = time.perf_counter()
            connection.execute("INSERT INTO bench_floor VALUES (%s)", (n,))
            connection.commit()
            commits.append(time.perf_counter() - started)
    started = time.perf_counter()
    total = 0
    for n in range(PYTHON_LOOP):
        total += n
    python_ms = (time.perf_counter() - started) * 1000
    redis_p50, redis_p99 = (_percentile(pings, q) * 1000 for q in (50, 99))
    commit_p50, commit_p99 = (_percentile(commits, q) * 1000 for q in (50, 99))
    record(
        "floors",
        redis_p50_ms=redis_p50,
        redis_p99_ms=redis_p99,
        commit_p50_ms=commit_p50,
        commit_p99_ms=commit_p99,
        python_loop_ms=python_ms,
    )
    print(
        f"floors: Redis PING p50 {redis_p50:.3f} / p99 {redis_p99:.3f} ms; PostgreSQL INSERT + "
        f"COMMIT p50 {commit_p50:.3f} / p99 {commit_p99:.3f} ms; {PYTHON_LOOP:,} Python additions "
        f"{python_ms:.0f} ms",
        flush=True,
    )
    return 0
