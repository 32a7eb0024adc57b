"""A Celery worker whose routing stops inside its transaction, for the SIGKILL test.

`python -m tests.switchboard.pausing_worker worker <celery worker options>` starts the portal's
worker after wrapping `switchboard.tickets.ticket_open_for_request`: once a routing has written
its ticket, its notification and the ROUTED transition (nothing committed yet), the process
announces `<request id>.pid` in the directory named by `PAUSE_DIR_ENV` and waits for the test's
`<request id>.done`, so the test's SIGKILL lands mid-routing, every time. The wrapping happens
before the prefork pool forks, so every pool process inherits it; production code knows nothing
of it.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from pathlib import Path
from typing import Any

PAUSE_DIR_ENV = "ROUTING_PAUSE_DIR"
PAUSE_MAX_SECONDS = 30.0


def pause(legal_request_id: str) -> None:
    """Announce `<id>.pid` and wait for `<id>.done`: the test kills this process in between.

    A request whose `.done` exists already (its routing was killed once) is routed at once."""
    directory = os.environ[PAUSE_DIR_ENV]
    done = Path(directory, f"{legal_request_id}.done")
    if done.exists():
        return
    # Written aside and renamed: the test must never read a half-written (empty) pid file.
    announcing = Path(directory, f"{legal_request_id}.pid.part")
    announcing.write_text(str(os.getpid()))
    announcing.replace(Path(directory, f"{legal_request_id}.pid"))
    deadline = time.monotonic() + PAUSE_MAX_SECONDS
    while not done.exists() and time.monotonic() < deadline:
        time.sleep(0.01)


def install() -> None:
    """Make every routing pause at its end, still inside the delivery's transaction."""
    from switchboard import tickets

    route = tickets.ticket_open_for_request

    @functools.wraps(route)
    def pausing_route(**kwargs: Any) -> Any:
        ticket = route(**kwargs)
        pause(str(kwargs["legal_request_id"]))
        return ticket

    tickets.ticket_open_for_request = pausing_route


def main(argv: list[str]) -> None:
    import django

    from portal.celery import app  # sets DJANGO_SETTINGS_MODULE

    django.setup()
    install()
    app.worker_main(argv=argv)


if __name__ == "__main__":
    main(sys.argv[1:])
