"""`python -m portal.run` (what `make run` runs): the whole portal on one machine, one command.

Starts the embedded PostgreSQL/Redis when DATABASE_URL/REDIS_URL are unset, takes SECRET_KEY
from var/secret-key when it is unset (generated there once), migrates, collects static files,
loads the demo data, then runs the web server (uvicorn), the two Celery workers and
Celery beat as child processes with their output prefixed by name.

A child that dies (a crash, the OOM killer, `kill -9`) is restarted after a backoff (1 s, 2 s,
4 s … 30 s), and the restart is said in the output; only a child that keeps crashing
(MAX_CRASHES within CRASH_WINDOW_SECONDS) stops the whole portal, with a non-zero status.
Ctrl-C or SIGTERM stops the children and the embedded servers this process started.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from portal import embedded, secret_key, vendor_assets

BASE_DIR = Path(__file__).resolve().parent.parent
STOP_TIMEOUT_SECONDS = 20.0  # Celery's warm shutdown waits for running tasks; then SIGKILL.
WEB_READY_TIMEOUT_SECONDS = 120.0
MAX_CRASHES = 5  # within CRASH_WINDOW_SECONDS: then the child is given up, and everything stops
CRASH_WINDOW_SECONDS = 120.0
RESTART_BACKOFF_MAX_SECONDS = 30.0

_print_lock = threading.Lock()


def say(message: str) -> None:
    """Print one of this supervisor's own lines, never interleaved with a child's line."""
    with _print_lock:
        print(f"{'run':>7} | {message}", flush=True)


@dataclass
class Child:
    """A long-running process of the portal, in its own process group so it can be stopped whole."""

    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    reader: threading.Thread | None = field(default=None, repr=False)
    extra_env: dict[str, str] = field(default_factory=dict)
    crashes: deque[float] = field(default_factory=deque, repr=False)
    restart_at: float | None = None

    def start(self, env: dict[str, str]) -> None:
        """Start the process and a thread that copies its output, prefixed with its name."""
        self.process = subprocess.Popen(  # noqa: S603 - argv built here from fixed parts
            self.argv,
            cwd=BASE_DIR,
            env={**env, **self.extra_env},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            # Own session: a Ctrl-C in the terminal reaches only this supervisor, which then
            # stops each child in order and in full (Celery's pool processes included).
            start_new_session=True,
        )
        self.reader = threading.Thread(
            target=_copy_output, args=(self.name, self.process.stdout), daemon=True
        )
        self.reader.start()

    def exit_code(self) -> int | None:
        """The exit status if the process has ended, else None."""
        return None if self.process is None else self.process.poll()

    def signal_group(self, signum: int) -> None:
        """Send a signal to the child's whole process group (ignored if it is already gone)."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signum)


def _copy_output(name: str, stream: IO[bytes] | None) -> None:
    """Copy a child's output to ours line by line, prefixed with the child's name."""
    if stream is None:
        return
    for raw in iter(stream.readline, b""):
        line = raw.decode(errors="replace").rstrip("\n")
        with _print_lock:
            print(f"{name:>7} | {line}", flush=True)
    stream.close()


class Stop(Exception):
    """Raised in the main thread by SIGINT/SIGTERM: stop everything and exit."""

    def __init__(self, signum: int) -> None:
        """Remember which signal asked us to stop."""
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_stop(signum: int, _frame: object) -> None:
    """Signal handler: turn SIGINT/SIGTERM into a Stop exception in the main thread."""
    raise Stop(signum)


def manage(
    env: dict[str, str], *args: str, quiet: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run a manage.py command to completion; show its output unless quiet (then only on error)."""
    say(f"manage.py {' '.join(args)}")
    result = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if not quiet or result.returncode != 0:
        for line in (result.stdout + result.stderr).splitlines():
            say(f"  {line}")
    return result


def children(host: str, port: int) -> list[Child]:
    """The portal's long-running processes."""
    python = sys.executable
    celery = [python, "-m", "celery", "-A", "portal"]
    return [
        Child(
            "web",
            # Two processes by default: Django runs every sync view and every database call of
            # a WebSocket consumer through ONE thread per process, so a second process doubles
            # what the web tier can commit (bench.hotline: p99 6.5 s -> 0.17 s at 50 msg/s).
            # --no-proxy-headers: uvicorn would otherwise believe X-Forwarded-For from any
            # local client; the portal reads it itself, from TRUSTED_PROXIES only
            # (core.http.client_ip). No per-message deflate: chat frames are a few hundred
            # bytes, and compressing each one again for every subscriber cost the hot room ~5 %
            # of the web tier's CPU (bench/profiling.py) and a zlib context per connection.
            [python, "-m", "uvicorn", "portal.asgi:application", "--host", host,
             "--port", str(port), "--ws", "websockets", "--ws-per-message-deflate", "false",
             "--no-proxy-headers",
             "--workers", os.environ.get("WEB_WORKERS", "2")],
            extra_env={"DB_POOL": "1"},  # see DATABASES in portal/settings.py
        ),
        Child(
            "urgent",
            [*celery, "worker", "-Q", "urgent", "-c", "2", "-n", "urgent@%h", "-l", "INFO"],
        ),
        Child(
            "default",
            # A few tasks prefetched per process: the backlog queue drains with fewer broker
            # round trips; the urgent worker keeps 1 so nothing urgent waits behind another.
            [*celery, "worker", "-Q", "default,retry", "-c", "2", "-n", "default@%h",
             "--prefetch-multiplier", "4", "-l", "INFO"],
        ),
        # The scheduler (django_celery_beat's DatabaseScheduler) comes from settings.
        Child("beat", [*celery, "beat", "-l", "INFO"]),
    ]  # fmt: skip


def stop_children(running: list[Child]) -> None:
    """SIGTERM every child's process group, wait, then SIGKILL whatever is left."""
    alive = [child for child in running if child.exit_code() is None]
    if not alive:
        return
    say(f"stopping {', '.join(child.name for child in alive)}")
    for child in alive:
        child.signal_group(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while time.monotonic() < deadline and any(child.exit_code() is None for child in alive):
        time.sleep(0.2)
    for child in alive:
        # SIGKILL the group even if the leader exited: its pool processes may linger.
        child.signal_group(signal.SIGKILL)
        if child.exit_code() is None:
            say(f"{child.name} did not stop within {STOP_TIMEOUT_SECONDS:.0f}s: killed")
        if child.process is not None:
            child.process.wait()
        if child.reader is not None:
            child.reader.join(timeout=2)


def wait_for_web(host: str, port: int, web: Child) -> bool:
    """Wait until the web server accepts connections (False if it died or never did)."""
    connect_host = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host  # noqa: S104
    deadline = time.monotonic() + WEB_READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if web.exit_code() is not None:
            return False
        if embedded.is_listening(port, host=connect_host):
            return True
        time.sleep(0.2)
    return False


def banner(host: str, port: int, seed_output: str) -> None:
    """Tell the developer where the portal is and how to get in."""
    shown_host = "localhost" if host in {"127.0.0.1", "0.0.0.0"} else host  # noqa: S104
    base = f"http://{shown_host}:{port}"
    lines = [
        "",
        "Liaison Portal is running:",
        f"  portal    {base}/",
        f"  GraphQL   {base}/graphql/   (header  Authorization: Bearer <token>)",
        f"  hotline   {base}/hotline/",
        f"  admin     {base}/admin/",
        f"  health    {base}/healthz",
    ]
    if seed_output.strip():
        lines += ["", "Demo data (seed_demo):", *seed_output.rstrip().splitlines()]
    lines += ["", "Ctrl-C stops everything.", ""]
    with _print_lock:
        # Printed without a prefix, so the seed_demo lines (`token <org> <email>: <token>`)
        # can be copied, or grepped by .ci/run, as they are.
        print("\n".join(lines), flush=True)


def ensure_embedded(env: dict[str, str]) -> list[str]:
    """Start the embedded servers whose URL is unset; return the names of those started here."""
    started = []
    if not env.get("DATABASE_URL"):
        if embedded.ensure_postgres():
            started.append("postgres")
            say(f"started embedded PostgreSQL on 127.0.0.1:{embedded.PG_PORT}")
        else:
            say(f"embedded PostgreSQL already running on 127.0.0.1:{embedded.PG_PORT}")
        env["DATABASE_URL"] = embedded.postgres_url()
    if not env.get("REDIS_URL"):
        if embedded.ensure_redis():
            started.append("redis")
            say(f"started embedded Redis on 127.0.0.1:{embedded.REDIS_PORT}")
        else:
            say(f"embedded Redis already running on 127.0.0.1:{embedded.REDIS_PORT}")
        env["REDIS_URL"] = embedded.redis_url()
    return started


def ensure_secret_key(env: dict[str, str], path: Path | None = None) -> None:
    """SECRET_KEY for this run and its children: the environment's, else the one kept in
    var/secret-key (default `path`), generated there with mode 0600 on the first run and reused
    on every later one, whatever the database (sessions survive a restart)."""
    path = path or secret_key.secret_key_path()
    existed = path.exists()
    if secret_key.ensure_in_environ(env, path):
        say(f"SECRET_KEY {'from' if existed else 'generated into'} {path}")


def stop_embedded(started: list[str]) -> None:
    """Stop the embedded servers this process started (not ones that were already running)."""
    if "redis" in started:
        say("stopping embedded Redis")
        embedded.stop_redis()
    if "postgres" in started:
        say("stopping embedded PostgreSQL")
        embedded.stop_postgres()


def prepare(env: dict[str, str]) -> str:
    """Migrate, collect static files, load the demo data and publish the transparency reports
    of the days that ended; return seed_demo's output."""
    if manage(env, "migrate", "--noinput").returncode != 0:
        raise RuntimeError("manage.py migrate failed (output above)")
    try:  # GraphiQL and React for GET /graphql/ (portal/vendor_assets.py), before collectstatic
        vendor_assets.ensure_vendor_assets()
    except vendor_assets.VendorAssetsError as error:
        say(f"warning: GraphiQL will not load: {error}")
    if manage(env, "collectstatic", "--noinput", "-v", "0", quiet=True).returncode != 0:
        raise RuntimeError("manage.py collectstatic failed (output above)")
    seed = manage(env, "seed_demo", quiet=True)
    if seed.returncode != 0:
        if "Unknown command" in seed.stderr:
            say("warning: there is no seed_demo command yet; starting without demo data")
            return ""
        raise RuntimeError("manage.py seed_demo failed (output above)")
    # The days that ended while the portal was not running (yesterday, on a first run) get
    # their signed transparency report now, not at the beat job's next run.
    if manage(env, "transparency_publish", quiet=True).returncode != 0:
        raise RuntimeError("manage.py transparency_publish failed (output above)")
    return seed.stdout


def restart_delay(crashes: int) -> float:
    """Backoff before the n-th restart within the crash window: 1 s, 2 s, 4 s … 30 s."""
    return min(2.0 ** max(crashes - 1, 0), RESTART_BACKOFF_MAX_SECONDS)


def supervise(running: list[Child], env: dict[str, str]) -> Child:
    """Keep the children running: restart one that died, after a backoff, and say so. Returns
    the child that crashed MAX_CRASHES times within CRASH_WINDOW_SECONDS (give up)."""
    while True:
        now = time.monotonic()
        for child in running:
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.restart_at = None
                    child.start(env)
                    pid = child.process.pid if child.process else "?"
                    say(f"restarted {child.name} (pid {pid})")
                continue
            status = child.exit_code()
            if status is None:
                continue
            # Its pool processes (Celery) or workers (uvicorn) may outlive it: end the group.
            child.signal_group(signal.SIGKILL)
            while child.crashes and now - child.crashes[0] > CRASH_WINDOW_SECONDS:
                child.crashes.popleft()
            child.crashes.append(now)
            if len(child.crashes) >= MAX_CRASHES:
                return child
            delay = restart_delay(len(child.crashes))
            say(
                f"{child.name} exited with status {status}; restarting in {delay:.0f} s "
                f"(crash {len(child.crashes)} of {MAX_CRASHES} allowed within "
                f"{CRASH_WINDOW_SECONDS:.0f} s)"
            )
            child.restart_at = now + delay
        time.sleep(0.2)


def ensure_metrics_dir(env: dict[str, str]) -> None:
    """prometheus_client's multiprocess directory of this node (var/metrics unless set), emptied:
    the web and worker processes count into it and /metrics sums them (core/metrics.py)."""
    directory = Path(env.get("PROMETHEUS_MULTIPROC_DIR") or BASE_DIR / "var" / "metrics")
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()
    env["PROMETHEUS_MULTIPROC_DIR"] = str(directory)


def main() -> int:
    """Run the portal until Ctrl-C/SIGTERM (exit 0) or a child keeps crashing (exit 1)."""
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "8000"))
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    env["PYTHONUNBUFFERED"] = "1"  # children's lines should show up as they are written
    started: list[str] = []
    running: list[Child] = []
    status = 0
    try:
        ensure_secret_key(env)
        ensure_metrics_dir(env)
        started = ensure_embedded(env)
        seed_output = prepare(env)
        for child in children(host, port):
            running.append(child)  # before start(): a signal in between must still stop it
            child.start(env)
            say(f"started {child.name} (pid {child.process.pid if child.process else '?'})")
        if wait_for_web(host, port, running[0]):
            banner(host, port, seed_output)
        elif running[0].exit_code() is None:
            say(f"warning: the web server is not answering on port {port} yet")
        dead = supervise(running, env)
        say(
            f"error: {dead.name} crashed {MAX_CRASHES} times within {CRASH_WINDOW_SECONDS:.0f} s "
            f"(last status {dead.exit_code()}); stopping everything"
        )
        status = 1
    except Stop as stop:
        say(f"{stop} received; stopping")
    except (RuntimeError, embedded.EmbeddedServerError) as exc:
        say(f"error: {exc}")
        status = 1
    finally:
        # A second Ctrl-C must not interrupt the clean-up half way.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop_children(running)
        stop_embedded(started)
        say("stopped" if status == 0 else "stopped after an error")
    return status


if __name__ == "__main__":
    sys.exit(main())
