"""What one submission and one routing cost, in one process with no contention.

`python -m bench routing_cost [--requests 300]`: in a fresh database of its own (dropped at the
end), submits N data-disclosure requests through `legal_request_submit`, then delivers each
`legal_request.submitted` event through `outbox_deliver` (the body of the routing task, without
Celery), and prints wall time, CPU time and SQL statements per request for both steps. It
complements bench.switchboard, whose figure includes every process competing for the cores.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHILD_ENV = "ROUTING_COST_CHILD"


def _run(requests: int) -> int:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from core.actors import Actor
    from core.outbox import services as outbox
    from core.outbox.models import OutboxEvent
    from liaison import submission
    from switchboard.policy import switchboard_seed_defaults
    from tests.factories import MembershipFactory

    call_command("migrate", verbosity=0)
    switchboard_seed_defaults()
    membership = MembershipFactory()
    actor = Actor(user=membership.user, organization=membership.organization)

    def spec(i: int) -> submission.LegalRequestSpec:
        return submission.LegalRequestSpec(
            kind="DATA_DISCLOSURE",
            category="FRAUD",
            reference=f"COST-{i}",
            legal_basis="Court order",
            jurisdiction="DE",
            summary="Benchmark request",
            targets=[submission.TargetSpec(kind="USERNAME", value="fraud_boss")],
            data_categories=["IP_ADDRESSES"],
        )

    submission.legal_request_submit(actor=actor, spec=spec(-1))  # warm caches and connections
    statements: list[int] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        # Every statement the ORM executes, savepoints included (BEGIN / COMMIT are not).
        statements[-1] += 1
        return execute(sql, params, many, context)

    statements.append(0)
    wall, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(count):
        for i in range(requests):
            submission.legal_request_submit(actor=actor, spec=spec(i))
    submit = (time.perf_counter() - wall, time.process_time() - cpu, statements.pop())
    events = list(
        OutboxEvent.objects.filter(topic="legal_request.submitted", delivered_at__isnull=True)
        .order_by("id")
        .values_list("pk", flat=True)
    )[1:]
    wall, cpu = time.perf_counter(), time.process_time()
    statements.append(0)
    with connection.execute_wrapper(count):
        for event_id in events:
            outbox.outbox_deliver(event_id=event_id)
    route = (time.perf_counter() - wall, time.process_time() - cpu, statements.pop())
    for name, (seconds, cpu_seconds, statements) in (("submit", submit), ("route", route)):
        print(
            f"{name}: {seconds / requests * 1000:.2f} ms wall, "
            f"{cpu_seconds / requests * 1000:.2f} ms CPU, "
            f"{statements / requests:.1f} SQL statements per request"
        )
    from bench.summary import record

    record(
        "routing_cost",
        route_statements=route[2] / requests,
        route_cpu_ms=route[1] / requests * 1000,
        route_wall_ms=route[0] / requests * 1000,
        submit_statements=submit[2] / requests,
        submit_cpu_ms=submit[1] / requests * 1000,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run in a fresh interpreter against a fresh database."""
    parser = argparse.ArgumentParser(prog="python -m bench routing_cost")
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args(argv)
    if os.environ.get(CHILD_ENV) == "1":
        return _run(args.requests)
    from bench.switchboard import _recreate_database, _service_urls

    database_url, redis_url = _service_urls()
    # BENCH_ROUTING_COST_DB: another name, so that two checkouts on one server never drop
    # each other's database.
    name = os.environ.get("BENCH_ROUTING_COST_DB", "liaison_bench_routing_cost")
    database_url = database_url.rsplit("/", 1)[0] + f"/{name}"
    env = {**os.environ, CHILD_ENV: "1", "DATABASE_URL": database_url, "REDIS_URL": redis_url}
    _recreate_database(database_url, name=name)
    try:
        return subprocess.call(
            [sys.executable, "-m", "bench.routing_cost", *(argv or [])], cwd=ROOT, env=env
        )
    finally:
        _recreate_database(database_url, name=name, drop_only=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
