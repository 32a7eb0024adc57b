"""Run the benchmarks: `python -m bench` runs them all, `python -m bench NAME [--option ...]` one.

Each benchmark is a module of this package with a `main()` returning an exit status; options
after the name are passed to it. The run exits non-zero if any benchmark fails.
"""

from __future__ import annotations

import importlib
import inspect
import os
import subprocess
import sys
import traceback
from pathlib import Path

from bench import summary, tools
from portal import secret_key

HERE = Path(__file__).resolve().parent
# In the order `make bench` runs them. A benchmark whose module is still being written is
# picked up as soon as it exists and has a main().
CANDIDATES = (
    "floors",
    "graphql_api",
    "routing_cost",
    "switchboard",
    "hotline",
    "casework",
    "transparency",
)


def available() -> list[str]:
    """The benchmarks that exist in this checkout and define `main()`."""
    names = []
    for name in CANDIDATES:
        path = HERE / f"{name}.py"
        if path.exists() and "\ndef main(" in path.read_text():
            names.append(name)
    return names


CHILD_ENV = "BENCH_ONE"


def run_isolated(name: str) -> int:
    """Run one benchmark of several in an interpreter of its own; its exit status.

    Benchmarks set up Django (settings module, DATABASE_URL, DB_POOL) in the process that runs
    them: run one after another in one process, a later one inherited the earlier one's
    configured database and wrote its clients' tokens where its server never looked (the
    hotline's 200 subscribers then waited for an acknowledgement that never came)."""
    print(f"== bench.{name}", flush=True)
    env = {**os.environ, CHILD_ENV: "1"}
    return subprocess.run([sys.executable, "-m", "bench", name], env=env, check=False).returncode


def run(name: str, options: list[str]) -> int:
    """Run one benchmark in this process; its exit status (1 when it raised)."""
    if os.environ.get(CHILD_ENV) != "1":
        print(f"== bench.{name}", flush=True)
    try:
        module = importlib.import_module(f"bench.{name}")
        main = module.main
        accepts_options = bool(inspect.signature(main).parameters)
        if options and not accepts_options:
            print(f"bench.{name} takes no options", file=sys.stderr)
            return 2
        status = main(options) if accepts_options else main()
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 1
    except Exception:
        traceback.print_exc()
        status = 1
    return int(status or 0)


def main(argv: list[str]) -> int:
    """Run the selected benchmarks (all by default), then print the one summary table of the
    figures they measured (bench/summary.py); non-zero if one fails."""
    # A development run, like `make run`: the SECRET_KEY of var/secret-key unless one is set.
    secret_key.ensure_in_environ(os.environ)
    if argv == ["summary"]:  # the table of the last results, without running anything
        return summary.main()
    started = summary.started()
    # The HTTP benchmarks load the server with wrk, not a Python client on the same cores.
    tools.ensure_wrk()
    known = available()
    if any(arg.startswith("-") for arg in argv):
        # `NAME --option value ...`: one benchmark, everything after its name is its options.
        if not argv or argv[0].startswith("-"):
            print(
                "options apply to one benchmark: python -m bench NAME --option ...", file=sys.stderr
            )
            return 2
        selected, options = argv[:1], argv[1:]
    else:
        selected, options = argv, []
    unknown = [name for name in selected if name not in known]
    if unknown:
        print(f"unknown benchmark(s) {unknown}; available: {known}", file=sys.stderr)
        return 2
    names = selected or known
    if os.environ.get(CHILD_ENV) == "1":  # one benchmark of a parent run (which prints the table)
        return run(names[0], options)
    if len(names) == 1:
        failed = [name for name in names if run(name, options) != 0]
    else:
        failed = [name for name in names if run_isolated(name) != 0]
    print("== summary: every figure of issue 14, measured in this run", flush=True)
    print(summary.render(summary.load(since=started)), flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
