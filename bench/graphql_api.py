"""Benchmark of the GraphQL API (issue 2, item 9): `legalRequests(first: 50)` against a plain
Django JSON view that builds the same JSON, both served by ONE uvicorn worker in the same run.

What it does, each run:

1. Drops and recreates the database `liaison_bench_api` on the server of DATABASE_URL (or the
   embedded PostgreSQL), migrates it and loads 3 organizations x 500 legal requests, each with
   1-3 targets and 2-4 timeline entries, some routed (handling desk, due date).
2. Issues an API token for a member of the first organization.
3. Starts `uvicorn bench.asgi:application --workers 1 --no-access-log` on a free loopback port.
4. Checks that both endpoints answer 200 with the same data (same requests in the same order,
   same nested values) and run the same number of SQL queries.
5. Warms both up, then measures each for the same total time with a fixed concurrency, in
   rounds of alternating order, with `wrk` (installed with apt-get when missing and possible)
   or, failing that, a small keep-alive HTTP/1.1 client in Python (asyncio).
6. Prints requests/s, p50 and p99 of each and the GraphQL/plain throughput ratio, and writes
   them to bench/results/graphql_api.json.

`python -m bench graphql_api --profile` instead profiles both endpoints in-process (pyinstrument,
Django's test client, same settings and data) and prints where the time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import platform
import pstats
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench import profiling
from bench.summary import record
from bench.tools import ensure_wrk

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
BENCH_DATABASE = "liaison_bench_api"
ORGANIZATIONS = 3
REQUESTS_PER_ORGANIZATION = 500
PAGE_SIZE = 50
TARGET_RATIO = 0.8  # issue 14 (issue 2 asked for 0.5)
QUERY = (
    f"query {{ legalRequests(first: {PAGE_SIZE}) {{ edges {{ node {{ reference status kind dueAt "
    "handlingTeam { name } targets { kind value } } } } }"
)
GRAPHQL_PATH = "/graphql/"
PLAIN_PATH = f"/bench/plain/?first={PAGE_SIZE}"
SERVER_START_TIMEOUT = 60.0


# Database and data -------------------------------------------------------------------------


def _base_urls() -> tuple[str, str]:
    """The PostgreSQL and Redis URLs to use: the environment's, else the embedded servers'
    (started if they do not run yet)."""
    from portal import embedded

    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        embedded.ensure_postgres()
        database_url = embedded.postgres_url()
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        embedded.ensure_redis()
        redis_url = embedded.redis_url()
    return database_url, redis_url


def _with_database(url: str, name: str) -> str:
    """`url` pointing at database `name` on the same server."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def recreate_database(server_url: str, name: str) -> None:
    """Drop database `name` (even with sessions left on it) and create it empty."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(server_url)
    with psycopg.connect(
        host=parts.hostname or "localhost",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django(database_url: str, redis_url: str) -> None:
    """Point this process (and the server it will start) at the bench database, then set up
    Django with the bench settings."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = redis_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()


def load_data(seed: int = 2) -> str:
    """Migrate, load the organizations and their requests; return a token of the first one."""
    from django.core.management import call_command
    from django.db import connections

    from liaison import models, tokens
    from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

    call_command("migrate", verbosity=0, interactive=False)
    rng = random.Random(seed)
    now = datetime.now(UTC)
    desks = ["Law enforcement response", "Counter-terrorism desk", "Child safety desk", ""]
    target_values = {
        models.TargetKind.USERNAME: lambda i: f"suspect_{i}",
        models.TargetKind.USER_ID: lambda i: str(7_000_000 + i),
        models.TargetKind.PHONE_NUMBER: lambda i: f"+49301{i:07d}",
        models.TargetKind.CHANNEL: lambda i: f"channel_{i}",
        models.TargetKind.MESSAGE_LINK: lambda i: f"https://t.example/c/{i}/{i * 7}",
    }
    memberships = []
    for index in range(ORGANIZATIONS):
        organization = OrganizationFactory(country=["DE", "FR", "NL"][index % 3])
        memberships.append(
            MembershipFactory(
                organization=organization, user=UserFactory(username=f"bench{index}@example.org")
            )
        )
    serial = 0
    for membership in memberships:
        legal_requests = []
        for _ in range(REQUESTS_PER_ORGANIZATION):
            serial += 1
            submitted_at = now - timedelta(seconds=rng.randint(60, 60 * 24 * 3600))
            routed = rng.random() < 0.7
            legal_requests.append(
                models.LegalRequest(
                    organization=membership.organization,
                    submitted_by=membership.user,
                    kind=rng.choice(models.RequestKind.values),
                    category=rng.choice(models.RequestCategory.values),
                    status=rng.choice(models.RequestStatus.values) if routed else "RECEIVED",
                    reference=f"AZ-{serial:06d}",
                    legal_basis="Section 100j StPO",
                    jurisdiction=membership.organization.country,
                    summary="Investment fraud ring operating a channel. " * rng.randint(1, 4),
                    data_categories=[models.DataCategory.IP_ADDRESSES],
                    submitted_at=submitted_at,
                    due_at=submitted_at + timedelta(hours=rng.choice([1, 8, 24, 240]))
                    if routed
                    else None,
                    handling_desk=rng.choice(desks) if routed else "",
                    routed_at=submitted_at + timedelta(seconds=30) if routed else None,
                )
            )
        models.LegalRequest.objects.bulk_create(legal_requests)
        targets, timeline = [], []
        for legal_request in legal_requests:
            for position in range(rng.randint(1, 3)):
                serial += 1
                kind = rng.choice(models.TargetKind.values)
                targets.append(
                    models.Target(
                        legal_request=legal_request,
                        kind=kind,
                        value=target_values[models.TargetKind(kind)](serial),
                        position=position,
                    )
                )
            at = legal_request.submitted_at
            for step in range(rng.randint(2, 4)):
                at += timedelta(minutes=rng.randint(1, 600))
                timeline.append(
                    models.TimelineEntry(
                        legal_request=legal_request,
                        event=models.TimelineEntry.Event.SUBMITTED
                        if step == 0
                        else rng.choice(models.TimelineEntry.Event.values),
                        status=legal_request.status,
                        actor_label=membership.user.email if step == 0 else "Liaison team",
                        at=at,
                        public=rng.random() < 0.8,
                    )
                )
        models.Target.objects.bulk_create(targets)
        models.TimelineEntry.objects.bulk_create(timeline)
    issued = tokens.api_token_issue(membership=memberships[0], label="bench")
    connections.close_all()
    return issued.secret


# The two endpoints, in-process ----------------------------------------------------------------


def graphql_body() -> bytes:
    """The POST body of the measured GraphQL operation."""
    return json.dumps({"query": QUERY}).encode()


def check_in_process(token: str) -> dict[str, int]:
    """Both endpoints through Django's test client: same data, and how many SQL queries each
    runs. Raises AssertionError when they differ."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    # The token's first use writes its `last_used_at`; count the queries of later calls.
    client.get(PLAIN_PATH)
    counts = {}
    with CaptureQueriesContext(connection) as queries:
        graphql = client.post(GRAPHQL_PATH, graphql_body(), content_type="application/json")
    counts["graphql"] = len(queries)
    with CaptureQueriesContext(connection) as queries:
        plain = client.get(PLAIN_PATH)
    counts["plain"] = len(queries)
    assert_same_answer(graphql.status_code, graphql.content, plain.status_code, plain.content)
    assert counts["graphql"] == counts["plain"], f"different numbers of SQL queries: {counts}"
    return counts


def assert_same_answer(
    graphql_status: int, graphql_body: bytes, plain_status: int, plain_body: bytes
) -> int:
    """Both answers are 200 with the same data, a full page of it; returns the page size."""
    assert graphql_status == 200, f"GraphQL answered {graphql_status}: {graphql_body[:300]!r}"
    assert plain_status == 200, f"plain view answered {plain_status}: {plain_body[:300]!r}"
    graphql_json, plain_json = json.loads(graphql_body), json.loads(plain_body)
    assert "errors" not in graphql_json, f"GraphQL errors: {graphql_json['errors']}"
    edges = graphql_json["data"]["legalRequests"]["edges"]
    assert len(edges) == PAGE_SIZE, f"expected {PAGE_SIZE} requests, got {len(edges)}"
    assert graphql_json == plain_json, "GraphQL and the plain view answer different data"
    assert any(edge["node"]["dueAt"] for edge in edges), "no routed request on the page"
    assert any(edge["node"]["handlingTeam"] is None for edge in edges), "no unrouted request"
    return len(edges)


# The server -------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http(
    method: str, url: str, token: str | None = None, body: bytes | None = None
) -> tuple[int, bytes]:
    """One HTTP call (stdlib only): the status and the body."""
    request = urllib.request.Request(url, data=body, method=method)  # noqa: S310 (loopback)
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    if body is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def start_server(port: int, log_path: Path) -> subprocess.Popen[bytes]:
    """Start one uvicorn worker serving bench.asgi and wait until /healthz answers 200."""
    log = log_path.open("wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--no-access-log",
            "--log-level",
            "warning",
            "--lifespan",
            "off",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {server.returncode}; see {log_path}")
        try:
            status, _ = http("GET", f"http://127.0.0.1:{port}/healthz")
        except OSError:
            status = 0
        if status == 200:
            return server
        time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f"uvicorn did not answer /healthz within {SERVER_START_TIMEOUT} s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Stop the uvicorn process this run started (and only it)."""
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# Load generation ----------------------------------------------------------------------------


@dataclass
class Run:
    """One measurement of one endpoint."""

    endpoint: str
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float
    latencies_ms: list[float] = field(default_factory=list, repr=False)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


WRK_SCRIPT = """
wrk.method = os.getenv("BENCH_METHOD")
local body = os.getenv("BENCH_BODY")
if body ~= nil and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
wrk.headers["Authorization"] = os.getenv("BENCH_AUTHORIZATION")

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH_RESULT %d %d %d %d %d\\n",
    summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout + e.status,
    latency:percentile(50), latency:percentile(99)))
end
"""


def run_wrk(
    wrk: str, endpoint: str, url: str, method: str, body: bytes | None, token: str, **opts: Any
) -> Run:
    """Measure one endpoint with wrk (one thread, `concurrency` keep-alive connections)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        completed = subprocess.run(
            [
                wrk,
                "-t1",
                f"-c{opts['concurrency']}",
                f"-d{max(1, round(opts['seconds']))}s",  # whole seconds only
                "--timeout",
                "10s",
                "-s",
                script.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=False,
            env={
                **os.environ,
                "BENCH_METHOD": method,
                "BENCH_BODY": (body or b"").decode(),
                "BENCH_AUTHORIZATION": f"Bearer {token}",
            },
        )
    finally:
        os.unlink(script.name)
    line = next((x for x in completed.stdout.splitlines() if x.startswith("BENCH_RESULT ")), None)
    if completed.returncode != 0 or line is None:
        raise RuntimeError(
            f"wrk failed ({completed.returncode}):\n{completed.stdout}\n{completed.stderr}"
        )
    requests, duration_us, errors, p50_us, p99_us = (int(x) for x in line.split()[1:])
    return Run(endpoint, requests, duration_us / 1e6, errors, p50_us / 1000, p99_us / 1000)


async def _python_load(
    host: str, port: int, raw_request: bytes, seconds: float, concurrency: int
) -> tuple[list[float], int, float]:
    """`concurrency` keep-alive connections sending `raw_request` back to back for `seconds`:
    the latencies (ms), the count of non-200 answers and the elapsed time."""
    latencies: list[float] = []
    errors = 0
    started = time.perf_counter()
    stop_at = started + seconds

    async def connection() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.perf_counter() < stop_at:
                sent = time.perf_counter()
                writer.write(raw_request)
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                await reader.readexactly(length)
                latencies.append((time.perf_counter() - sent) * 1000)
                errors += status != 200
        finally:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(concurrency)))
    return latencies, errors, time.perf_counter() - started


def percentile(values: list[float], pct: float) -> float:
    """The `pct`-th percentile (nearest rank) of `values`."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def run_python(
    endpoint: str, port: int, path: str, method: str, body: bytes | None, token: str, **opts: Any
) -> Run:
    """Measure one endpoint with the built-in asyncio client (when wrk is unavailable)."""
    head = [
        f"{method} {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        f"Authorization: Bearer {token}",
    ]
    if body is not None:
        head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    raw = ("\r\n".join(head) + "\r\n\r\n").encode() + (body or b"")
    latencies, errors, elapsed = asyncio.run(
        _python_load("127.0.0.1", port, raw, opts["seconds"], opts["concurrency"])
    )
    return Run(
        endpoint,
        len(latencies),
        elapsed,
        errors,
        percentile(latencies, 50),
        percentile(latencies, 99),
        latencies,
    )


def combine(runs: list[Run]) -> dict[str, float]:
    """One endpoint's rounds as one figure: total requests over total time; percentiles exact
    when the latencies are known (Python client), else weighted by requests (wrk's rounds)."""
    requests = sum(r.requests for r in runs)
    seconds = sum(r.seconds for r in runs)
    latencies = [x for r in runs for x in r.latencies_ms]
    if latencies:
        p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    else:
        p50 = sum(r.p50_ms * r.requests for r in runs) / max(requests, 1)
        p99 = sum(r.p99_ms * r.requests for r in runs) / max(requests, 1)
    return {
        "requests": requests,
        "seconds": round(seconds, 3),
        "errors": sum(r.errors for r in runs),
        "rps": round(requests / seconds, 1) if seconds else 0.0,
        "p50_ms": round(p50, 2),
        "p99_ms": round(p99, 2),
    }


# Profile mode -----------------------------------------------------------------------------


def profile(token: str, calls: int) -> dict[str, float]:
    """Profile `calls` requests to each endpoint in this process and print the trees; returns
    the mean milliseconds per request of each."""
    from django.test import Client
    from pyinstrument import Profiler

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = graphql_body()
    endpoints = {
        "graphql": lambda: client.post(GRAPHQL_PATH, body, content_type="application/json"),
        "plain": lambda: client.get(PLAIN_PATH),
    }
    means = {}
    for name, call in endpoints.items():
        for _ in range(50):
            call()
        started = time.perf_counter()
        for _ in range(calls):
            call()
        means[name] = (time.perf_counter() - started) / calls * 1000
    calls_per_request = {}
    for name, call in endpoints.items():  # deterministic: Python function calls a request
        counter = cProfile.Profile()
        counter.enable()
        for _ in range(20):
            call()
        counter.disable()
        stats: Any = pstats.Stats(counter)  # typeshed lacks `total_calls`
        calls_per_request[name] = stats.total_calls / 20
    for name, call in endpoints.items():
        profiler = Profiler(interval=0.0002)
        with profiler:
            for _ in range(calls):
                call()
        print(f"\n===== {name}: {means[name]:.2f} ms a request (in-process, test client) =====")
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    print(
        {k: round(v, 3) for k, v in means.items()}, f"ratio {means['plain'] / means['graphql']:.2f}"
    )
    print(
        "Python function calls a request (cProfile):",
        {k: round(v) for k, v in calls_per_request.items()},
    )
    return means


# Entry point ------------------------------------------------------------------------------

# How the server reaches PostgreSQL (the portal's DB_POOL setting). "pooled": a process-wide
# psycopg pool, as `make run` starts the web process; "unpooled": persistent connections
# (CONN_MAX_AGE), which under ASGI connect anew on every request.
DB_MODES = {"pooled": "1", "unpooled": "0"}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The options of this benchmark."""
    parser = argparse.ArgumentParser(prog="python -m bench graphql_api", description=__doc__)
    parser.add_argument("--seconds", type=float, default=15.0, help="measured time per endpoint")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds it is split in")
    parser.add_argument("--warmup", type=float, default=3.0, help="warm-up seconds per endpoint")
    parser.add_argument("--concurrency", type=int, default=8, help="connections kept busy")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument(
        "--db", choices=[*DB_MODES, "both"], default="both", help="database connection handling"
    )
    parser.add_argument("--profile", action="store_true", help="profile in-process instead")
    parser.add_argument("--profile-calls", type=int, default=300)
    parser.add_argument(
        "--database",
        default=BENCH_DATABASE,
        help="the database to drop, recreate and load (another name lets two runs share a server)",
    )
    return parser.parse_args(argv)


def measure_server(db_mode: str, token: str, wrk: str | None, args: argparse.Namespace) -> dict:
    """Start one uvicorn worker, check both endpoints, measure them in alternating rounds."""
    os.environ["DB_POOL"] = DB_MODES[db_mode]
    port = free_port()
    server = start_server(port, RESULTS_DIR / f"graphql_api.{db_mode}.uvicorn.log")
    base = f"http://127.0.0.1:{port}"
    body = graphql_body()
    endpoints = {"graphql": (GRAPHQL_PATH, "POST", body), "plain": (PLAIN_PATH, "GET", None)}

    def check() -> None:
        graphql_status, graphql_answer = http("POST", base + GRAPHQL_PATH, token, body)
        plain_status, plain_answer = http("GET", base + PLAIN_PATH, token)
        assert_same_answer(graphql_status, graphql_answer, plain_status, plain_answer)

    def measure(name: str, seconds: float) -> Run:
        path, method, payload = endpoints[name]
        opts = {"seconds": seconds, "concurrency": args.concurrency}
        if wrk:
            return run_wrk(wrk, name, base + path, method, payload, token, **opts)
        return run_python(name, port, path, method, payload, token, **opts)

    runs: dict[str, list[Run]] = {name: [] for name in endpoints}
    try:
        check()
        print(f"graphql_api [{db_mode}]: the server answers the same data on both endpoints")
        for name in endpoints:
            measure(name, args.warmup)
        per_round = args.seconds / args.rounds
        for round_index in range(args.rounds):
            order = ["plain", "graphql"] if round_index % 2 == 0 else ["graphql", "plain"]
            for name in order:
                profile = (
                    profiling.sampled(f"graphql-api-{name}", server.pid, per_round)
                    if round_index == 0
                    else None
                )
                run = measure(name, per_round)
                if profile is not None:
                    profile.finish()
                runs[name].append(run)
                print(
                    f"  round {round_index + 1} {name:8} {run.rps:8.1f} req/s  "
                    f"p50 {run.p50_ms:7.2f} ms  p99 {run.p99_ms:7.2f} ms  errors {run.errors}"
                )
        check()  # after the load: still the same answers, nothing rate limited or degraded
    finally:
        stop_server(server)
    results = {name: combine(endpoint_runs) for name, endpoint_runs in runs.items()}
    ratio = results["graphql"]["rps"] / results["plain"]["rps"]
    return {
        "results": results,
        "ratio_graphql_to_plain": round(ratio, 3),
        "target_met": ratio >= TARGET_RATIO,
        "rounds": {
            name: [asdict(r) | {"latencies_ms": None} for r in endpoint_runs]
            for name, endpoint_runs in runs.items()
        },
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when both endpoints answered correctly throughout."""
    args = parse_args(argv)
    base_database_url, redis_url = _base_urls()
    database_url = _with_database(base_database_url, args.database)
    print(f"graphql_api: fresh database {args.database} on {urlsplit(base_database_url).netloc}")
    recreate_database(base_database_url, args.database)
    setup_django(database_url, redis_url)
    started = time.perf_counter()
    token = load_data()
    print(
        f"graphql_api: loaded {ORGANIZATIONS} x {REQUESTS_PER_ORGANIZATION} requests "
        f"in {time.perf_counter() - started:.1f} s"
    )
    query_counts = check_in_process(token)
    print(f"graphql_api: same data from both endpoints, SQL queries per call {query_counts}")
    if args.profile:
        profile(token, args.profile_calls)
        return 0

    wrk = None if args.client == "python" else ensure_wrk()
    if args.client == "wrk" and wrk is None:
        print("graphql_api: wrk is not available", file=sys.stderr)
        return 1
    client = "wrk" if wrk else "python (asyncio, keep-alive)"
    RESULTS_DIR.mkdir(exist_ok=True)
    modes = list(DB_MODES) if args.db == "both" else [args.db]
    measured = {mode: measure_server(mode, token, wrk, args) for mode in modes}

    report = {
        "benchmark": "graphql_api",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "setup": {
            "server": "uvicorn bench.asgi:application --workers 1 --no-access-log",
            "client": client,
            "concurrency": args.concurrency,
            "seconds_per_endpoint": args.seconds,
            "rounds": args.rounds,
            "warmup_seconds": args.warmup,
            "page_size": PAGE_SIZE,
            "data": f"{ORGANIZATIONS} organizations x {REQUESTS_PER_ORGANIZATION} requests",
            "sql_queries_per_call": query_counts,
            "query": QUERY,
        },
        "target_ratio": TARGET_RATIO,
        "db_modes": measured,
    }
    (RESULTS_DIR / "graphql_api.json").write_text(json.dumps(report, indent=2) + "\n")
    # The summary's row: the production configuration (pooled) when it was measured.
    summary_mode = "pooled" if "pooled" in measured else modes[0]
    record(
        "graphql_api",
        ratio_graphql_to_plain=measured[summary_mode]["ratio_graphql_to_plain"],
        graphql_rps=measured[summary_mode]["results"]["graphql"]["rps"],
        plain_rps=measured[summary_mode]["results"]["plain"]["rps"],
    )

    print(
        f"\nGraphQL API vs plain Django view ({client}, {args.concurrency} connections, "
        f"{args.seconds:g} s per endpoint, {os.cpu_count()} CPUs, one uvicorn worker)"
    )
    header = ("database", "endpoint", "req/s", "p50 ms", "p99 ms", "errors")
    print("  {:10} {:8} {:>8} {:>8} {:>8} {:>7}".format(*header))
    failed = False
    for mode, outcome in measured.items():
        for name, figures in outcome["results"].items():
            failed = failed or bool(figures["errors"])
            print(
                f"  {mode:10} {name:8} {figures['rps']:8.1f} {figures['p50_ms']:8.2f} "
                f"{figures['p99_ms']:8.2f} {figures['errors']:7d}"
            )
        verdict = "met" if outcome["target_met"] else "NOT met"
        print(
            f"  {mode:10} ratio GraphQL/plain {outcome['ratio_graphql_to_plain']:.2f} "
            f"(target >= {TARGET_RATIO}: {verdict})"
        )
    print(f"  written to {RESULTS_DIR / 'graphql_api.json'}")
    if failed:
        print("graphql_api: some calls failed (non-200 or socket errors)", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
