"""Switchboard benchmark: a burst while the workers route, the drain of a committed backlog,
and urgent orders behind it.

`python -m bench.switchboard [--burst 5000] [--backlog N] [--urgent 50] [--no-write]` (or
`make bench`):

1. creates a database of its own (`liaison_bench_switchboard`, dropped at the end) on the
   PostgreSQL of DATABASE_URL (or the embedded one) and uses Redis database 15 of REDIS_URL
   (or BENCH_REDIS_URL), which it flushes: never the portal's own queues;
2. phase 1, competing: starts the two Celery workers exactly as `make run` does
   (portal.run.children: an `urgent` worker and a `default,retry` worker), submits the burst
   of DATA_DISCLOSURE requests through the real service (commit, then enqueue) from several
   processes, then, while it drains, 50 terrorism removal orders (1-hour clock, `urgent`
   queue), one every 100 ms by default (--urgent-interval); waits until all are routed;
3. phase 2, drain: stops the workers, commits a backlog of --backlog requests (default: the
   burst's size), starts the workers again and measures routings/s from their start to the
   last routing of the backlog, with 50 urgent orders sent behind it (one every
   --urgent-interval); phase 3: then 50 urgent orders within one second;
4. checks every phase on its own: each request routed, none routed twice (ROUTED timeline
   entries), and the latency from submission (commit) to ROUTED (p50/p99/max);
5. records the figures for the summary table (bench.summary) and writes them under
   "## Switchboard" in docs/benchmarks.md (unless --no-write).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench import profiling

ROOT = Path(__file__).resolve().parent.parent
# BENCH_SWITCHBOARD_DB: another name, so that two checkouts on one server never drop each
# other's database.
DB_NAME = os.environ.get("BENCH_SWITCHBOARD_DB", "liaison_bench_switchboard")
BENCH_REDIS_DB = 15
CHILD_ENV = "SWITCHBOARD_BENCH_CHILD"
DOCS = ROOT / "docs" / "benchmarks.md"
SUBMITTERS = 4
TARGET_URGENT_P99_MS = 250.0  # 50 urgent orders within one second
TARGET_BEHIND_P99_MS = 100.0  # urgent orders behind a committed backlog
TARGET_RATE = 300.0  # the drain of a committed backlog
URGENT_BURST = 50


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.switchboard")
    parser.add_argument("--burst", type=int, default=5000, help="non-urgent requests")
    parser.add_argument(
        "--backlog", type=int, default=None, help="requests committed before the workers start "
        "(default: --burst)",
    )  # fmt: skip
    parser.add_argument("--urgent", type=int, default=50, help="terrorism removal orders")
    parser.add_argument(
        "--urgent-interval",
        type=float,
        default=0.1,
        help="seconds between two urgent orders (0.02 makes them a burst of their own)",
    )
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/benchmarks.md")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for routing")
    return parser.parse_args(argv)


def _with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))


def _service_urls() -> tuple[str, str]:
    """The PostgreSQL server and the Redis this benchmark uses (starting embedded ones if unset)."""
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


def _recreate_database(url: str, *, drop_only: bool = False, name: str = DB_NAME) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    with psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if not drop_only:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark in a fresh interpreter (bench.__main__ may have set Django up already)."""
    args = parse_args(argv)
    if os.environ.get(CHILD_ENV) == "1":
        return _run(args)
    database_url, redis_url = _service_urls()
    _recreate_database(database_url)
    env = {
        **os.environ,
        CHILD_ENV: "1",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "LOG_LEVEL": "WARNING",
    }
    try:
        return subprocess.call(
            [sys.executable, "-m", "bench.switchboard", *(argv or [])], cwd=ROOT, env=env
        )
    finally:
        _recreate_database(database_url, drop_only=True)


# The child: everything below runs with DATABASE_URL/REDIS_URL pointing at the bench's own.


def _submit_many(args: tuple[int, int, int]) -> None:
    """Submit `count` non-urgent requests (one process of the burst)."""
    import django

    django.setup()
    from core.actors import Actor
    from liaison import submission
    from liaison.models import Membership

    membership_id, start, count = args
    membership = Membership.objects.select_related("user", "organization").get(pk=membership_id)
    actor = Actor(
        user=membership.user, organization=membership.organization, membership_id=membership_id
    )
    for n in range(start, start + count):
        submission.legal_request_submit(actor=actor, spec=_spec("DATA_DISCLOSURE", "FRAUD", n))


def _spec(kind: str, category: str, n: int) -> object:
    from liaison.submission import LegalRequestSpec, TargetSpec

    removal = kind == "CONTENT_REMOVAL"
    return LegalRequestSpec(
        kind=kind,
        category=category,
        reference=f"BENCH-{n:05d}",
        legal_basis="Court order",
        jurisdiction="DE",
        summary="Benchmark request.",
        targets=[
            TargetSpec(kind="MESSAGE_LINK", value=f"https://t.me/bench_channel/{n + 1}")
            if removal
            else TargetSpec(kind="USERNAME", value=f"bench_user_{n}")
        ],
        data_categories=None if removal else ["IP_ADDRESSES"],
    )


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


class _Workers:
    """The two Celery workers, started as `make run` starts them (portal.run.children)."""

    def __init__(self, tag: str) -> None:
        from portal.run import children

        self.log_dir = ROOT / "var" / "log"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.tag = tag
        self.children = [c for c in children("127.0.0.1", 0) if c.name in ("urgent", "default")]
        self.logs: list = []

    def _path(self, name: str) -> Path:
        return self.log_dir / f"bench-switchboard-{self.tag}-{name}.log"

    def start(self) -> float:
        """Start both and wait until each is ready; returns the time.time() when they were
        (the Python start-up of a worker is not part of what it routes per second)."""
        env = {**os.environ, "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
        for worker in self.children:
            log = self._path(worker.name).open("w")
            self.logs.append(log)
            worker.process = subprocess.Popen(
                worker.argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        for worker in self.children:
            path = self._path(worker.name)
            deadline = time.monotonic() + 60
            while "ready." not in path.read_text(errors="replace"):
                if time.monotonic() > deadline or (
                    worker.process and worker.process.poll() is not None
                ):
                    raise RuntimeError(f"worker {worker.name} did not start; see {path}")
                time.sleep(0.05)
        return time.time()

    def stop(self) -> None:
        for worker in self.children:
            worker.signal_group(15)
        for worker in self.children:
            if worker.process is not None:
                try:
                    worker.process.wait(20)
                except subprocess.TimeoutExpired:
                    worker.signal_group(9)
        for log in self.logs:
            log.close()
        self.logs = []

    def pid(self, name: str) -> int:
        """The process id of the worker `name` (its pool's processes are its children)."""
        process = next(w.process for w in self.children if w.name == name)
        assert process is not None
        return process.pid

    @property
    def described(self) -> list[str]:
        return [" ".join(w.argv[3:]) for w in self.children]


def _submit_burst(membership_id: int, first: int, count: int) -> float:
    """Submit `count` non-urgent requests from SUBMITTERS processes; the seconds it took."""
    from django.db import connection

    connection.close()  # not across fork
    started = time.monotonic()
    chunk = -(-count // SUBMITTERS)
    jobs = [
        (membership_id, first + i * chunk, min(chunk, count - i * chunk)) for i in range(SUBMITTERS)
    ]
    with multiprocessing.get_context("fork").Pool(SUBMITTERS) as pool:
        pool.map(_submit_many, [job for job in jobs if job[2] > 0])
    return time.monotonic() - started


def _send_urgent(actor: object, first: int, count: int, interval: float) -> list:
    """Submit `count` terrorism removal orders (1-hour clock, `urgent`), one every `interval`."""
    from liaison import submission

    ids = []
    for n in range(first, first + count):
        spec = _spec("CONTENT_REMOVAL", "TERRORISM", n)
        ids.append(submission.legal_request_submit(actor=actor, spec=spec).pk)  # type: ignore[arg-type]
        time.sleep(interval)
    return ids


def _wait_routed(references: range, timeout: float) -> int:
    """Wait until every request of these reference numbers is routed; how many were."""
    from liaison.models import LegalRequest

    names = [f"BENCH-{n:05d}" for n in references]
    deadline = time.monotonic() + timeout
    while True:
        routed = LegalRequest.objects.filter(reference__in=names, routed_at__isnull=False).count()
        if routed == len(names) or time.monotonic() > deadline:
            if routed < len(names):
                print(f"timed out: {routed}/{len(names)} routed", flush=True)
            return routed
        time.sleep(0.1)


def _phase(references: range) -> dict:
    """Routed, routed twice and the latencies (routed_at - submitted_at) of these requests."""
    from django.db.models import Count

    from liaison.models import LegalRequest, TimelineEntry

    names = [f"BENCH-{n:05d}" for n in references]
    rows = list(
        LegalRequest.objects.filter(reference__in=names).values_list("submitted_at", "routed_at")
    )
    routed = [r for r in rows if r[1] is not None]
    twice = (
        TimelineEntry.objects.filter(event="ROUTED", legal_request__reference__in=names)
        .values("legal_request")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    ms = [(r[1] - r[0]).total_seconds() * 1000 for r in routed]
    return {
        "total": len(names),
        "stored": len(rows),
        "routed": len(routed),
        "twice": twice,
        "p50": _percentile(ms, 50),
        "p99": _percentile(ms, 99),
        "max": max(ms) if ms else float("nan"),
        "first_submitted": min((r[0] for r in rows), default=None),
        "first_routed": min((r[1] for r in routed), default=None),
        "last_routed": max((r[1] for r in routed), default=None),
    }


def _received(references: range) -> int:
    from liaison.models import LegalRequest, RequestStatus

    names = [f"BENCH-{n:05d}" for n in references]
    return LegalRequest.objects.filter(reference__in=names, status=RequestStatus.RECEIVED).count()


def _run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.core.management import call_command

    from core.redis import get_redis
    from liaison import organizations, tokens
    from switchboard.policy import switchboard_seed_defaults

    call_command("migrate", verbosity=0)
    get_redis().flushdb()  # the bench's own Redis database
    switchboard_seed_defaults()
    organization = organizations.organization_register(
        kind="AUTHORITY", name="Bench Police", country="DE", verify=True
    )
    membership = organizations.member_ensure(
        organization=organization, email="bench@police.example"
    )
    actor = tokens.api_token_authenticate(tokens.api_token_issue(membership=membership).secret)
    assert actor is not None
    backlog_size = args.backlog if args.backlog is not None else args.burst
    # Reference numbers of each phase's requests (BENCH-nnnnn), so each phase is checked alone.
    burst = range(0, args.burst)
    urgent = range(100_000, 100_000 + args.urgent)
    backlog = range(20_000, 20_000 + backlog_size)
    behind = range(110_000, 110_000 + args.urgent)
    flood = range(120_000, 120_000 + URGENT_BURST)

    # Phase 1: the workers route while the burst is submitted, urgent orders while it drains.
    workers = _Workers("competing")
    try:
        workers.start()
        print(f"workers ready: {', '.join(workers.described)}", flush=True)
        burst_seconds = _submit_burst(membership.pk, burst.start, len(burst))
        backlog_left = _received(burst)
        print(f"burst of {len(burst)} submitted in {burst_seconds:.1f} s; backlog {backlog_left}",
              flush=True)  # fmt: skip
        _send_urgent(actor, urgent.start, len(urgent), args.urgent_interval)
        backlog_after = _received(burst)
        print(f"{len(urgent)} urgent submitted; backlog still {backlog_after}", flush=True)
        _wait_routed(burst, args.timeout)
        _wait_routed(urgent, args.timeout)
    finally:
        workers.stop()

    # Phase 2: a backlog committed with the workers stopped; then the workers start (as
    # `make run` starts them) and drain it; urgent orders arrive behind it, one every
    # --urgent-interval, then (phase 3) 50 within one second.
    drain_seconds = _submit_burst(membership.pk, backlog.start, len(backlog))
    print(f"backlog of {len(backlog)} committed in {drain_seconds:.1f} s, workers stopped",
          flush=True)  # fmt: skip
    workers = _Workers("backlog")
    try:
        workers_ready = workers.start()
        drain_profile = profiling.sampled("switchboard-drain-default", workers.pid("default"), 20)
        _send_urgent(actor, behind.start, len(behind), args.urgent_interval)
        flood_behind = _received(backlog)
        _send_urgent(actor, flood.start, len(flood), 1.0 / len(flood))
        print(f"urgent orders sent behind the backlog; {flood_behind} of it waited when the "
              f"{len(flood)} within one second began", flush=True)  # fmt: skip
        _wait_routed(backlog, args.timeout)
        _wait_routed(behind, args.timeout)
        _wait_routed(flood, args.timeout)
        drain_profile.finish()
    finally:
        workers.stop()

    phases = {
        "burst": _phase(burst),
        "urgent": _phase(urgent),
        "backlog": _phase(backlog),
        "behind": _phase(behind),
        "flood": _phase(flood),
    }
    p1, p2 = phases["burst"], phases["backlog"]
    overall_rate = (p1["routed"] + phases["urgent"]["routed"]) / max(
        (max(phases["urgent"]["last_routed"], p1["last_routed"]) - p1["first_submitted"])
        .total_seconds(), 1e-9,
    ) if p1["last_routed"] and phases["urgent"]["last_routed"] else float("nan")  # fmt: skip
    # From the workers' start (ready, or their first routing if it came before we saw them
    # ready) to the last routing of the backlog.
    start_of_drain = datetime.fromtimestamp(workers_ready, UTC)
    if p2["first_routed"] is not None:
        start_of_drain = min(start_of_drain, p2["first_routed"])
    drain_rate = (
        p2["routed"] / max((p2["last_routed"] - start_of_drain).total_seconds(), 1e-9)
        if p2["last_routed"]
        else float("nan")
    )
    lost = sum(p["total"] - p["routed"] for p in phases.values())
    twice = sum(p["twice"] for p in phases.values())
    result = {
        "phases": phases,
        "lost": lost,
        "twice": twice,
        "overall_rate": overall_rate,
        "drain_rate": drain_rate,
        "burst_seconds": burst_seconds,
        "backlog_left": backlog_left,
        "backlog_after": backlog_after,
        "backlog_seconds": drain_seconds,
        "flood_behind": flood_behind,
        "args": args,
        "backlog_size": len(backlog),
        "workers": workers.described,
    }
    from bench.summary import record

    record(
        "switchboard",
        overall_rate=overall_rate,
        submissions_per_second=len(burst) / burst_seconds if burst_seconds else None,
        backlog_drain_rate=drain_rate,
        # The urgent orders sent one every --urgent-interval behind the committed backlog.
        urgent_p99=phases["behind"]["p99"],
        urgent_burst_p99=phases["flood"]["p99"],
        competing_urgent_p99=phases["urgent"]["p99"],
        routed=sum(p["routed"] for p in phases.values()),
        total=sum(p["total"] for p in phases.values()),
        lost=lost,
        twice=twice,
    )
    report = _report(result)
    print(report, flush=True)
    if not args.no_write:
        _write_docs(report)
    ok = (
        lost == 0
        and twice == 0
        and drain_rate >= TARGET_RATE
        and phases["behind"]["p99"] <= TARGET_BEHIND_P99_MS
        and phases["flood"]["p99"] <= TARGET_URGENT_P99_MS
    )
    return 0 if ok else 1


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(re.findall(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[0])
        memory = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, IndexError):
        pass
    system = f"{platform.system()} {platform.release()}"
    return f"{os.cpu_count()} cores ({cpu}){memory}, {system}, Python {platform.python_version()}"


def _report(r: dict) -> str:
    a, p = r["args"], r["phases"]

    def ok(good: bool) -> str:
        return "OK" if good else "MISSED"

    def lat(phase: dict) -> str:
        return f"{phase['p50']:.0f} / {phase['p99']:.0f} / {phase['max']:.0f} ms"

    routed = sum(x["routed"] for x in p.values())
    total = sum(x["total"] for x in p.values())
    lines = [
        "## Switchboard",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `.venv/bin/python -m bench.switchboard` "
        f"(part of `make bench`); --burst {a.burst} --backlog {r['backlog_size']} "
        f"--urgent {a.urgent} --urgent-interval {a.urgent_interval}.",
        "",
        f"- Machine: {_machine()}; PostgreSQL and Redis on the same machine.",
        f"- Workers, as `make run` starts them: `{r['workers'][0]}` and `{r['workers'][1]}`.",
        f"- Phase 1, competing: {a.burst} DATA_DISCLOSURE requests submitted through "
        f"`legal_request_submit` by {SUBMITTERS} processes in {r['burst_seconds']:.1f} s while "
        f"the workers route (backlog {r['backlog_left']} unrouted when it ended); then "
        f"{a.urgent} CONTENT_REMOVAL x TERRORISM orders, one every "
        f"{a.urgent_interval * 1000:.0f} ms (backlog still {r['backlog_after']} after the last).",
        f"- Phase 2, drain: {r['backlog_size']} requests committed with the workers stopped (in "
        f"{r['backlog_seconds']:.1f} s), then the workers started; {a.urgent} urgent orders "
        f"behind that backlog, one every {a.urgent_interval * 1000:.0f} ms; then phase 3: "
        f"{URGENT_BURST} urgent orders within one second ({r['flood_behind']} of the backlog "
        "still waiting when they began).",
        "- Latency: `routed_at - submitted_at` of each request (submission inside its transaction "
        "to the routing's commit), so a little pessimistic. Drain rate: backlog routings from the "
        "workers' start to the last backlog routing.",
        "",
        "| measure | result | target | ratio |",
        "|---|---|---|---|",
        f"| routed, every phase | {routed} / {total} | all | {ok(r['lost'] == 0)} |",
        f"| routed twice, every phase | {r['twice']} | 0 | {ok(r['twice'] == 0)} |",
        f"| phase 1: routings/s, first submission to last routing | {r['overall_rate']:.0f} "
        f"(submitted at {a.burst / r['burst_seconds']:.0f}/s) | report | |",
        f"| phase 1: urgent p50 / p99 / max | {lat(p['urgent'])} | report | |",
        f"| phase 1: non-urgent p50 / p99 | {p['burst']['p50']:.0f} / {p['burst']['p99']:.0f} ms "
        "| | |",
        f"| phase 2: drain rate of the committed backlog | {r['drain_rate']:.0f}/s "
        f"| >= {TARGET_RATE:.0f}/s | {r['drain_rate'] / TARGET_RATE:.2f}x |",
        f"| phase 2: urgent behind the backlog p50 / p99 / max | {lat(p['behind'])} "
        f"| p99 <= {TARGET_BEHIND_P99_MS:.0f} ms "
        f"| {p['behind']['p99'] / TARGET_BEHIND_P99_MS:.2f} of the limit |",
        f"| phase 3: {URGENT_BURST} urgent within one second p50 / p99 / max | {lat(p['flood'])} "
        f"| p99 <= {TARGET_URGENT_P99_MS:.0f} ms "
        f"| {p['flood']['p99'] / TARGET_URGENT_P99_MS:.2f} of the limit |",
        "",
    ]  # fmt: skip
    return "\n".join(lines)


NOTES = """### Reading the figures

- Phases. Phase 1 is the old burst: the submitters (4 processes) compete with the workers for
  the 2 cores, so its routings/s is reported beside the submissions/s, with no target. Phase 2
  is the drain the target is about: the backlog is committed with the workers stopped, then
  the workers start as `make run` starts them; its rate runs from their start (ready) to the
  last routing of the backlog. Urgent orders arrive behind that backlog (phase 2, one every
  100 ms) and then 50 within one second (phase 3); each phase is checked on its own for
  requests lost or routed twice.
- One routing, in one process (`python -m bench routing_cost`: submit N requests, then deliver
  each `legal_request.submitted` event through `outbox_deliver`, the routing task's body):
  6 SQL statements between BEGIN and COMMIT (21 before issue 14's item 2) and 4.0-4.4 ms of CPU
  (19.4 ms before), both measured on a loaded shared machine (load average 6-8 on 2 cores,
  other benchmarks and test suites running), 300 requests; a quiet machine gives less. The
  six statements, pinned by tests/switchboard/test_routing.py::test_one_routing_is_six_statements
  and listed in switchboard/tickets.py:
  1. claim the event and mark it delivered: one `UPDATE portal_outboxevent ... RETURNING`
     (it was a `SELECT ... FOR UPDATE` and a final `UPDATE`; the mark rolls back with a failed
     routing, and is taken back after a `DeliveryFailed`);
  2. lock the request and read what the routing needs: one `SELECT ... FOR UPDATE OF r` with
     its organization, its ticket if any (a redelivery), the team intake chose, that team's
     on-call address, whether the rule still exists (it was six queries: the request, the
     ticket, the team, the rule, the members, the request again under the lock);
  3. `INSERT` the ticket (its unique constraint refuses a second one);
  4. `INSERT` the team's notification (no outbox event and no task per ticket any more);
  5. the move to ROUTED: the request's `UPDATE` and its timeline entry's `INSERT` in one
     statement (a data-modifying CTE, `liaison.lifecycle._save_with_entry`, for every move);
  6. `INSERT` the audit entry, unsealed (the sealer chains it later: no lock).
  Left out of the routing's transaction: the targets' pre-flight (a savepoint, the targets,
  the answers, the adapter's lookups, their INSERT and audit entry: 7 statements) now runs
  in the notification flush, for the whole batch; so does the mail.
- Notifications are batched: the commit that records notifications asks for a flush of their
  queue (a Redis key set if absent; the flush clears it when it starts, so a commit after that
  asks again), and the flush sends every pending notification of the queue in batches of 200
  (`SKIP LOCKED`: two flushes never take the same one). A burst costs a few flush tasks, not
  one task per ticket. In the default queue a flush waits behind the routings queued before
  it: during a drain the team e-mails of the backlog leave as it ends, in one batch (urgent
  tickets have their own queue and flush). A failed send is handed to the outbox (topic
  `switchboard.staff_notification`: backoff, dead letter, revival from admin); a flush that
  never ran (Redis down, a worker lost) is made up for by the sweep, which sends what is
  pending for more than 10 s.
- Hot-path INSERTs (ticket, notification, audit entry) and the outbox claim go through
  `core.rawsql` (SQL built once per model, values prepared by each field as the ORM does):
  the ORM spent more CPU building the locking read (its subqueries) than all the rest.
- Still per routing: one `group_send` to the organization's live subscriptions after commit
  (about 1 ms of CPU, in the process's broadcast thread) and the flush request (one Redis
  `SET NX`, about 0.4 ms); for an organization with a webhook or a contact e-mail, their
  outbox events in the same transaction (2-3 more statements).
- Tried and reverted earlier: a lower CPU priority (nice 10) for the default worker made urgent
  latency worse (p50 1.5 s): default transactions holding the then global audit lock were
  descheduled and urgent routings waited for them (priority inversion; the lock is gone).
"""


def _write_docs(section: str) -> None:
    """Replace (or add) the figures of the "## Switchboard" section; its notes ("### Reading
    the figures", kept by hand once written) and the other sections are left as they are."""
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    text = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    pattern = re.compile(r"^## Switchboard\n.*?(?=^### Reading the figures|^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n" + NOTES
    DOCS.write_text(text.rstrip("\n") + "\n")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
