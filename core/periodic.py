"""Periodic work runs once per period across every node: a leader lock held for the period.

Each node of a deployment runs its own beat (so no node is special and none is a single point
of failure), so every periodic task is sent once per period by each node. The task claims its
period first: `SET liaison:periodic:<name> <node> NX PX <0.9 x period>` in the shared Redis.
The first claim of a period wins and does the work; every other send within 0.9 periods of it
is skipped. So two runs of the same work are always at least 0.9 periods apart, and as long as
one beat is alive the work runs about once per period (if the node that ran last dies, the next
send from any other node claims it).

Redis unreachable: the claim is granted (the work runs, possibly twice). The periodic work here
is idempotent by its own design (the sweep records each escalation and breach once in the
database, the re-drive enqueues idempotent deliveries, the sealer takes its own lock): the lock
saves the duplicate work, correctness never depends on it. And with Redis down no task arrives.
"""

from __future__ import annotations

import functools
import logging
import os
import socket
from collections.abc import Callable
from typing import Any, TypeVar

import redis

from core.redis import get_redis

logger = logging.getLogger(__name__)
KEY_PREFIX = "liaison:periodic:"
CLAIM_SHARE = 0.9  # of the period: below 1, so a beat's jitter never skips its own next run

F = TypeVar("F", bound=Callable[..., Any])


def node_name() -> str:
    """This process, as operators see it in the lock's value (host and pid)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def periodic_claim(name: str, period_seconds: float) -> bool:
    """Claim this period's run of `name` across every node; True: run it here."""
    try:
        claimed = get_redis().set(
            f"{KEY_PREFIX}{name}",
            node_name(),
            nx=True,
            px=max(1, int(period_seconds * CLAIM_SHARE * 1000)),
        )
    except redis.RedisError:
        logger.warning("periodic %s: Redis unreachable, running without the lock", name)
        return True
    if claimed:
        logger.info("periodic %s: claimed the period on %s", name, node_name())
    else:
        logger.info("periodic %s: skipped, already run on another node this period", name)
    return bool(claimed)


def once_per_period(name: str, period: Callable[[], float]) -> Callable[[F], F]:
    """Decorate a periodic task: sent by beat (with `claim_period=True` in its schedule entry)
    it runs only when it claims its period (`period()` seconds, read at each call so settings
    changed at run time apply), else returns None; called or sent by hand it always runs."""

    def decorate(task_body: F) -> F:
        @functools.wraps(task_body)
        def guarded(*args: Any, claim_period: bool = False, **kwargs: Any) -> Any:
            if claim_period and not periodic_claim(name, period()):
                return None
            return task_body(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate
