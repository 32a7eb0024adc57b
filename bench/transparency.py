"""Transparency benchmark: the year query over 1,000,000 requests and the daily job of a
50,000-request day.

`python -m bench.transparency [--requests 1000000] [--day-requests 50000] [--queries 50]
[--no-write]` (or `make bench`):

1. creates a database of its own (`liaison_bench_transparency`, dropped at the end) on the
   PostgreSQL of DATABASE_URL (or the embedded one); Redis database 15 of REDIS_URL (or
   BENCH_REDIS_URL), which it flushes;
2. loads `--requests` requests spread over the 365 days before yesterday (every country of a
   list of 30, every kind and category, most of them decided, a quarter with an acknowledged
   ticket) and publishes those days with the daily job;
3. loads `--day-requests` requests received yesterday and times the daily job for that day
   (target 10 s);
4. runs `transparencyReport` for the last 366 days across all jurisdictions through the
   GraphQL schema `--queries` times, without the one-minute cache (target p99 200 ms);
5. writes the figures under "## Transparency" in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from bench.switchboard import DOCS, ROOT, _percentile, _recreate_database, _with_path

DB_NAME = "liaison_bench_transparency"
BENCH_REDIS_DB = 15
CHILD_ENV = "TRANSPARENCY_BENCH_CHILD"
TARGET_QUERY_P99_MS = 200.0
TARGET_DAY_JOB_S = 10.0
COUNTRIES = tuple(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
        "US",
        "GB",
        "BR",
    ]
)
BATCH = 5000

QUERY = """query($start: Date!, $end: Date!) {
  transparencyReport(periodStart: $start, periodEnd: $end) {
    generatedAt rows { jurisdiction kind category received fulfilled rejected withdrawn open
    accountsAffected medianSecondsToAcknowledge medianSecondsToAct } } }"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.transparency")
    parser.add_argument("--requests", type=int, default=1_000_000, help="requests over a year")
    parser.add_argument("--day-requests", type=int, default=50_000, help="requests of one day")
    parser.add_argument("--queries", type=int, default=50, help="year queries to time")
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/benchmarks.md")
    return parser.parse_args(argv)


def _service_urls() -> tuple[str, str]:
    from portal import embedded

    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        embedded.ensure_postgres()
        database_url = embedded.postgres_url()
    redis_url = os.environ.get("BENCH_REDIS_URL")
    if not redis_url:
        base = os.environ.get("REDIS_URL")
        if not base:
            embedded.ensure_redis()
            base = embedded.redis_url()
        redis_url = _with_path(base, f"/{BENCH_REDIS_DB}")
    return _with_path(database_url, f"/{DB_NAME}"), redis_url


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark in a fresh interpreter, on a database of its own."""
    args = parse_args(argv)
    if os.environ.get(CHILD_ENV) == "1":
        return _run(args)
    database_url, redis_url = _service_urls()
    _recreate_database(database_url, name=DB_NAME)
    env = {
        **os.environ,
        CHILD_ENV: "1",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "LOG_LEVEL": "WARNING",
        "TRANSPARENCY_LIVE_CACHE_SECONDS": "0",  # every query is computed, none cached
    }
    try:
        return subprocess.call(
            [sys.executable, "-m", "bench.transparency", *(argv or [])], cwd=ROOT, env=env
        )
    finally:
        _recreate_database(database_url, drop_only=True, name=DB_NAME)


# The child: everything below runs with DATABASE_URL/REDIS_URL pointing at the bench's own.


def _load(count: int, *, first: datetime, days: int, rng: random.Random) -> None:
    """`count` requests received over `days` days from `first`, in batches (bulk inserts)."""
    from django.contrib.auth import get_user_model

    from liaison.models import LegalRequest, Organization, RequestCategory, RequestKind
    from switchboard.models import Team, Ticket

    organization = Organization.objects.first()
    assert organization is not None
    user, _ = get_user_model().objects.get_or_create(username="bench@police.example")
    team = Team.objects.first()
    assert team is not None
    kinds, categories = list(RequestKind.values), list(RequestCategory.values)
    outcomes = ["FULFILLED"] * 6 + ["REJECTED", "WITHDRAWN", "UNDER_REVIEW", "ROUTED"]
    for offset in range(0, count, BATCH):
        requests, tickets = [], []
        for _ in range(min(BATCH, count - offset)):
            submitted = first + timedelta(seconds=rng.randrange(days * 86400))
            status = rng.choice(outcomes)
            acted = submitted + timedelta(seconds=rng.randrange(60, 10 * 86400))
            legal_request = LegalRequest(
                organization=organization,
                submitted_by=user,
                kind=rng.choice(kinds),
                category=rng.choice(categories),
                status=status,
                reference="BENCH",
                legal_basis="Court order",
                jurisdiction=rng.choice(COUNTRIES),
                summary="Benchmark request.",
                submitted_at=submitted,
                due_at=submitted + timedelta(days=1),
                fulfilled_at=acted if status == "FULFILLED" else None,
                decided_at=acted if status == "REJECTED" else None,
                rejection_reason="DISPROPORTIONATE" if status == "REJECTED" else "",
            )
            requests.append(legal_request)
            if rng.random() < 0.25:
                tickets.append(
                    Ticket(
                        legal_request=legal_request,
                        team=team,
                        priority=2,
                        opened_at=submitted,
                        clock=timedelta(days=1),
                        due_at=submitted + timedelta(days=1),
                        state="ACKNOWLEDGED",
                        acknowledged_at=submitted + timedelta(seconds=rng.randrange(30, 7200)),
                    )
                )
        LegalRequest.objects.bulk_create(requests)
        Ticket.objects.bulk_create(tickets)


def _run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from core.redis import get_redis
    from liaison import organizations
    from portal.graphql.schema import schema
    from switchboard.policy import switchboard_seed_defaults
    from transparency.services import daily_report_generate, daily_reports_catch_up

    call_command("migrate", verbosity=0)
    get_redis().flushdb()  # the bench's own Redis database
    switchboard_seed_defaults()
    organizations.organization_register(
        kind="AUTHORITY", name="Bench Police", country="DE", verify=True
    )
    rng = random.Random(2835)
    now = datetime.now(UTC)
    today = now.date()
    yesterday = datetime.combine(today - timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    year_start = yesterday - timedelta(days=365)

    started = time.perf_counter()
    _load(args.requests, first=year_start, days=365, rng=rng)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    load_s = time.perf_counter() - started
    print(f"loaded {args.requests} requests over 365 days in {load_s:.1f} s", flush=True)
    started = time.perf_counter()
    # The year's days, published by the job (yesterday is left for step 3).
    published = daily_reports_catch_up(now=yesterday)
    catch_up_s = time.perf_counter() - started
    print(f"published {len(published)} days in {catch_up_s:.1f} s", flush=True)

    _load(args.day_requests, first=yesterday, days=1, rng=rng)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    started = time.perf_counter()
    daily_report_generate(day=yesterday.date(), now=now)
    day_job_s = time.perf_counter() - started
    print(f"daily job, {args.day_requests} requests: {day_job_s:.2f} s", flush=True)

    variables = {"start": str(today - timedelta(days=365)), "end": str(today)}
    timings = []
    rows = 0
    for _ in range(args.queries):
        started = time.perf_counter()
        result = schema.execute_sync(QUERY, variable_values=variables)
        timings.append((time.perf_counter() - started) * 1000)
        assert result.errors is None, result.errors
        assert result.data is not None
        rows = len(result.data["transparencyReport"]["rows"])
    p50, p99 = _percentile(timings, 50), _percentile(timings, 99)
    from transparency.selectors import transparency_report_get

    sql_only = []
    for _ in range(args.queries):
        started = time.perf_counter()
        transparency_report_get(
            period_start=today - timedelta(days=365), period_end=today, now=datetime.now(UTC)
        )
        sql_only.append((time.perf_counter() - started) * 1000)
    print(f"(the selector alone: p50 {_percentile(sql_only, 50):.0f} ms)", flush=True)
    print(
        f"year query ({rows} rows, {args.queries} runs): p50 {p50:.0f} ms, p99 {p99:.0f} ms",
        flush=True,
    )
    ok = p99 <= TARGET_QUERY_P99_MS and day_job_s <= TARGET_DAY_JOB_S
    if not args.no_write:
        _write_docs(args, load_s, catch_up_s, day_job_s, p50, p99, rows)
    return 0 if ok else 1


def _write_docs(
    args: argparse.Namespace,
    load_s: float,
    catch_up_s: float,
    day_job_s: float,
    p50: float,
    p99: float,
    rows: int,
) -> None:
    when = f"{platform.node()} ({os.cpu_count()} cores), {datetime.now(UTC):%Y-%m-%d}"
    section = f"""## Transparency (issue 11)

`python -m bench transparency` on {when}:
{args.requests:,} requests over a year ({load_s:.0f} s to load), its 365 days published by the
daily job in {catch_up_s:.1f} s.

| measure | figure | target |
|---|---|---|
| daily job, {args.day_requests:,}-request day | {day_job_s:.2f} s | ≤ {TARGET_DAY_JOB_S:.0f} s |
| `transparencyReport`, 366 days, all jurisdictions ({rows} rows), p50 | {p50:.0f} ms | |
| same, p99 over {args.queries} runs | {p99:.0f} ms | ≤ {TARGET_QUERY_P99_MS:.0f} ms |
"""
    text = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    pattern = re.compile(r"## Transparency[^\n]*\n.*?(?=\n## |\Z)", re.DOTALL)
    text = (
        pattern.sub(section.rstrip("\n"), text)
        if pattern.search(text)
        else text.rstrip("\n") + "\n\n" + section
    )
    DOCS.write_text(text)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
