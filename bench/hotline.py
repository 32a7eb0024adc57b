"""Hotline chat benchmark (issue 4): end-to-end latency from `sendHotlineMessage` (HTTP, commit
included) to every WebSocket subscriber, and messages lost or duplicated, against ONE uvicorn.

`python -m bench hotline [--seconds 60] [--hot-seconds 60] [--no-write]` (part of `make bench`):

1. recreates the database `liaison_bench_hotline` (or BENCH_DB_NAME) on the PostgreSQL of
   DATABASE_URL (or the embedded one), migrates it, and creates 50 NGOs x 4 members (the
   realistic day) plus one NGO with 100 members (the hot room), each member with an API token;
   uses Redis database 14 of REDIS_URL, or BENCH_REDIS_URL (flushed: never the portal's own);
2. starts `uvicorn bench.asgi:application --ws websockets` (one process, DB_POOL=1, as
   `make run` starts the web process) on a free port;
3. (a) a realistic day: 200 clients subscribed (graphql-transport-ws, python `websockets`)
   with `afterSeq`, 4 per conversation; 50 messages/s in total sent over HTTP by the clients in
   turn, open loop (a slow answer never delays the next send), for --seconds; then the same
   while 10 % of the clients keep dropping their connection and resubscribing with the last
   seq they saw; (b) a hot room: 100 clients in one conversation at 10 messages/s;
4. reports per phase: p50/p99/max of send -> the last connected subscriber has it, and send
   -> HTTP answer, send -> first subscriber (where the time goes); messages lost and
   duplicated over every (message, subscriber) pair, replays included;
5. writes the figures under "## Hotline (issue 4)" in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bench import profiling
from bench.graphql_api import _base_urls, free_port, http, recreate_database

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
RESULTS_DIR = Path(__file__).resolve().parent / "results"
DB_NAME = os.environ.get("BENCH_DB_NAME", "liaison_bench_hotline")
BENCH_REDIS_DB = 14
SECTION = "## Hotline (issue 4)"
# Issue 14's targets for send -> every subscriber p99, per phase (over either transport).
TARGET_P99_MS = {"day": 50.0, "day_churn": 100.0, "hot": 100.0}
VIA_LABELS = {"http": "HTTP", "ws": "WebSocket"}
PROTOCOL = "graphql-transport-ws"
SEND = (
    "mutation($input: SendHotlineMessageInput!) { sendHotlineMessage(input: $input) { "
    "... on HotlineMessage { seq } ... on OperationInfo { messages { field message code } } } }"
)
SUBSCRIBE = (
    "subscription($id: ID!, $after: Int) { hotlineMessages(conversationId: $id, afterSeq: "
    "$after) { seq clientMessageId } }"
)


# Web processes, as `make run` starts them (WEB_WORKERS, see portal/run.py).
WEB_WORKERS = os.environ.get("WEB_WORKERS", "2")
WS_IMPL = "websockets"  # uvicorn's --ws, as make run starts the web tier


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench hotline")
    parser.add_argument("--seconds", type=float, default=60.0, help="each phase of (a)")
    parser.add_argument("--hot-seconds", type=float, default=60.0, help="the hot room (b)")
    parser.add_argument("--rate", type=float, default=50.0, help="messages/s in (a)")
    parser.add_argument("--hot-rate", type=float, default=10.0, help="messages/s in (b)")
    parser.add_argument(
        "--send",
        choices=("http", "ws", "both"),
        default="both",
        help="send over HTTP, over the sender's open WebSocket, or each phase both ways",
    )
    parser.add_argument(
        "--ws-impl",
        default=WS_IMPL,
        choices=("websockets", "websockets-sansio", "wsproto"),
        help="uvicorn's WebSocket implementation (default: the one make run uses)",
    )
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/benchmarks.md")
    return parser.parse_args(argv)


# Set-up ------------------------------------------------------------------------------------


def _with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))


def prepare() -> tuple[str, str]:
    """The bench database (fresh) and Redis database (flushed) URLs."""
    database_url, redis_url = _base_urls()
    recreate_database(database_url, DB_NAME)
    bench_redis = os.environ.get("BENCH_REDIS_URL") or _with_path(redis_url, f"/{BENCH_REDIS_DB}")
    import redis

    redis.Redis.from_url(bench_redis).flushdb()
    return _with_path(database_url, f"/{DB_NAME}"), bench_redis


@dataclass
class Client:
    """One member: its token and its conversation."""

    token: str
    conversation_id: str


def load_data() -> tuple[list[Client], list[Client]]:
    """50 NGOs x 4 members, and one NGO with 100 members; every member has a token."""
    from django.core.management import call_command
    from django.db import connections

    from hotline.schema.types import conversation_global_id
    from hotline.services import conversation_main_ensure
    from liaison import tokens
    from tests.factories import MembershipFactory, NgoFactory, UserFactory

    call_command("migrate", verbosity=0, interactive=False)

    def members(organization: Any, count: int, prefix: str) -> list[Client]:
        conversation = conversation_main_ensure(organization=organization)
        clients = []
        for index in range(count):
            membership = MembershipFactory(
                organization=organization,
                user=UserFactory(username=f"{prefix}{index}@ngo.example"),
            )
            secret = tokens.api_token_issue(membership=membership, label="bench").secret
            clients.append(Client(secret, str(conversation_global_id(conversation.pk))))
        return clients

    day = []
    for n in range(50):
        day += members(NgoFactory(name=f"Bench NGO {n}"), 4, f"day{n}-")
    hot = members(NgoFactory(name="Bench hot room"), 100, "hot-")
    connections.close_all()
    return day, hot


def start_server(
    port: int, log_path: Path, env: dict[str, str], ws_impl: str = WS_IMPL
) -> subprocess.Popen[bytes]:
    """One uvicorn process as `make run` starts the web process; waits for /healthz."""
    log = log_path.open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bench.asgi:application", "--host", "127.0.0.1",
         "--port", str(port), "--workers", WEB_WORKERS, "--ws", ws_impl,
         "--ws-per-message-deflate", "false", "--no-access-log",
         "--log-level", "warning", "--lifespan", "off"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
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
    stop_server_group(server)
    raise RuntimeError("uvicorn did not answer /healthz within 60 s")


def stop_server_group(server: subprocess.Popen[bytes]) -> None:
    """Stop the uvicorn this run started AND its worker processes (its own process group):
    stopping only the supervisor left its workers running, waiting on open sockets."""
    import signal

    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            server.poll()
            try:
                os.killpg(server.pid, 0)
            except ProcessLookupError:
                return  # the whole group is gone
            time.sleep(0.2)


# Load --------------------------------------------------------------------------------------


@dataclass
class Sent:
    """One message sent: when, its answer, and who must receive it."""

    client_id: str
    conversation_id: str
    started: float
    answered: float | None = None
    seq: int | None = None
    error: str | None = None


@dataclass
class Subscriber:
    """One subscription: what it received (seq -> count) and when each message first came."""

    client: Client
    last_seq: int = 0
    counts: dict[int, int] = field(default_factory=dict)
    first_at: dict[str, float] = field(default_factory=dict)
    live_since: float | None = None
    offline: list[tuple[float, float]] = field(default_factory=list)
    reconnects: int = 0
    ws: Any = None  # the open connection (sends over WebSocket use it)


class Phase:
    """One measured phase: clients subscribed, messages sent at a rate, optional churn."""

    def __init__(
        self,
        base: str,
        clients: list[Client],
        rate: float,
        seconds: float,
        via: str = "http",
        profile: tuple[str, int] | None = None,
    ) -> None:
        self.base = base
        self.profile = profile  # (name, server pid): sampled while sending (BENCH_PROFILE_DIR)
        self.clients = clients
        self.rate = rate
        self.seconds = seconds
        self.via = via  # "http" or "ws" (the sender's own subscription connection)
        self.subscribers = [Subscriber(c) for c in clients]
        self.sent: dict[str, Sent] = {}
        self.stop = asyncio.Event()
        self.errors: list[str] = []
        self.closes: dict[str, int] = {}  # why connections ended, other than our own churn

    async def subscribe_forever(self, sub: Subscriber, churn: bool) -> None:
        """Stay subscribed; with churn, drop the connection every 8-16 s for 0.2-2 s."""
        import random

        from websockets.asyncio.client import connect

        rng = random.Random(hash(sub.client.token))
        ws_url = self.base.replace("http://", "ws://") + "/graphql/"
        while not self.stop.is_set():
            try:
                async with connect(ws_url, subprotocols=[PROTOCOL], max_size=2**22) as ws:  # type: ignore[list-item]
                    init = {"authorization": f"Bearer {sub.client.token}"}
                    await ws.send(json.dumps({"type": "connection_init", "payload": init}))
                    assert json.loads(await ws.recv())["type"] == "connection_ack"
                    variables = {"id": sub.client.conversation_id, "after": sub.last_seq}
                    await ws.send(
                        json.dumps(
                            {"id": "1", "type": "subscribe",
                             "payload": {"query": SUBSCRIBE, "variables": variables}}
                        )
                    )  # fmt: skip
                    sub.live_since = time.monotonic()
                    sub.ws = ws
                    until = time.monotonic() + rng.uniform(8, 16) if churn else None
                    while not self.stop.is_set():
                        timeout = None if until is None else max(0.0, until - time.monotonic())
                        try:
                            raw = await asyncio.wait_for(ws.recv(), timeout)
                        except TimeoutError:
                            break  # time to drop the connection
                        now = time.monotonic()
                        message = json.loads(raw)
                        if message.get("id") != "1":
                            self._answered(message, now)
                            continue
                        if message.get("type") != "next":
                            continue
                        data = (message["payload"].get("data") or {}).get("hotlineMessages")
                        if not data:
                            raise RuntimeError(f"subscription error: {message}")
                        seq = data["seq"]
                        sub.counts[seq] = sub.counts.get(seq, 0) + 1
                        sub.last_seq = max(sub.last_seq, seq)
                        key = data["clientMessageId"]
                        if key and key not in sub.first_at:
                            sub.first_at[key] = now
            except asyncio.CancelledError:
                raise
            except Exception as error:  # a dropped connection: resubscribe after the last seq
                self.errors.append(repr(error)[:200])
                reason = _close_reason(error)
                self.closes[reason] = self.closes.get(reason, 0) + 1
            finally:
                sub.ws = None
            if self.stop.is_set():
                return
            went = time.monotonic()
            sub.live_since = None
            sub.reconnects += 1
            await asyncio.sleep(rng.uniform(0.2, 2.0))
            sub.offline.append((went, time.monotonic()))

    def _answered(self, message: dict[str, Any], now: float) -> None:
        """The answer to a send over WebSocket (its operation id is the client message id)."""
        sent = self.sent.get(str(message.get("id")))
        if sent is None or sent.answered is not None or message.get("type") == "complete":
            return
        sent.answered = now
        result = ((message.get("payload") or {}).get("data") or {}).get("sendHotlineMessage")
        if message.get("type") == "next" and result and "seq" in result:
            sent.seq = result["seq"]
        else:
            sent.error = json.dumps(message)[:300]

    async def send_one(self, http_client: Any, sender: Subscriber, key: str) -> None:
        client = sender.client
        sent = Sent(client_id=key, conversation_id=client.conversation_id, started=0.0)
        self.sent[key] = sent
        body = {
            "query": SEND,
            "variables": {
                "input": {
                    "conversationId": client.conversation_id,
                    "body": f"bench message {key} — status update from the field",
                    "clientMessageId": key,
                }
            },
        }
        sent.started = time.monotonic()
        if self.via == "ws":
            if sender.ws is None:
                sent.error = "sender offline"
                return
            try:
                await sender.ws.send(json.dumps({"id": key, "type": "subscribe", "payload": body}))
            except Exception as error:
                sent.error = repr(error)
            return
        try:
            response = await http_client.post(
                "/graphql/", json=body, headers={"Authorization": f"Bearer {client.token}"}
            )
            sent.answered = time.monotonic()
            result = response.json()["data"]["sendHotlineMessage"]
            if "seq" in result:
                sent.seq = result["seq"]
            else:
                sent.error = json.dumps(result)
        except Exception as error:
            sent.error = repr(error)

    async def run(self, churn_fraction: float = 0.0) -> dict[str, Any]:
        import httpx

        churning = (
            set(range(0, len(self.subscribers), round(1 / churn_fraction)))
            if (churn_fraction)
            else set()
        )
        tasks = [
            asyncio.create_task(self.subscribe_forever(sub, churn=i in churning))
            for i, sub in enumerate(self.subscribers)
        ]
        # Who sends: every client in turn, except those that keep dropping their connection
        # (over WebSocket a send needs the connection open until its answer).
        senders = [sub for i, sub in enumerate(self.subscribers) if i not in churning]
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
        async with httpx.AsyncClient(base_url=self.base, limits=limits, timeout=30) as http_client:
            # Warm up: every subscription live and one message through each conversation.
            await self._wait(lambda: all(s.live_since for s in self.subscribers), 60, "subscribed")
            conversations = {s.client.conversation_id: s for s in senders}
            warm = []
            for sender in conversations.values():
                key = f"warm-{uuid.uuid4().hex[:12]}"
                warm.append(key)
                await self.send_one(http_client, sender, key)
            await self._wait(
                lambda: all(
                    k in s.first_at
                    for s in self.subscribers
                    for k in warm
                    if self.sent[k].conversation_id == s.client.conversation_id
                ),
                60,
                "warm-up messages",
            )
            self.sent.clear()
            for sub in self.subscribers:
                sub.first_at.clear()

            pending: set[asyncio.Task[None]] = set()
            interval = 1.0 / self.rate
            sampling = (
                profiling.sampled(*self.profile, self.seconds * 0.8) if self.profile else None
            )
            start = time.monotonic()
            n = 0
            lag_max = 0.0
            while True:
                due = start + n * interval
                if due - start >= self.seconds:
                    break
                delay = due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                lag_max = max(lag_max, time.monotonic() - due)
                task = asyncio.create_task(
                    self.send_one(
                        http_client, senders[n % len(senders)], f"m{n}-{uuid.uuid4().hex[:8]}"
                    )
                )
                pending.add(task)
                task.add_done_callback(pending.discard)
                n += 1
            if pending:
                await asyncio.wait(pending, timeout=30)
            if sampling is not None:
                await asyncio.to_thread(sampling.finish)
            await self._wait(
                lambda: all(s.answered or s.error for s in self.sent.values()),
                30,
                "every send's answer",
                fail=False,
            )
            sent_at_end = time.monotonic()
            # Everyone catches up (replays included), then the connections close.
            await self._wait(
                lambda: self._settled(), 60, "every subscriber to catch up", fail=False
            )
            self.stop.set()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        return self.figures(time.monotonic() - start, sent_at_end - start, lag_max)

    def _settled(self) -> bool:
        for sub in self.subscribers:
            for sent in self.sent.values():
                if (
                    sent.seq
                    and sent.conversation_id == sub.client.conversation_id
                    and sent.client_id not in sub.first_at
                ):
                    return False
        return True

    async def _wait(self, condition: Any, timeout: float, what: str, fail: bool = True) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                if fail:
                    waiting = sum(1 for s in self.subscribers if not s.live_since)
                    raise RuntimeError(
                        f"timed out waiting for {what} ({waiting} subscribers not live; "
                        f"connection ends {self.closes}; last errors {self.errors[-3:]})"
                    )
                print(f"warning: timed out waiting for {what}", file=sys.stderr)
                return
            await asyncio.sleep(0.05)

    def figures(self, wall: float, sending: float, lag_max: float) -> dict[str, Any]:
        ok = [s for s in self.sent.values() if s.seq is not None]
        errors = [s.error or "no answer" for s in self.sent.values() if s.seq is None]
        by_conversation: dict[str, list[Subscriber]] = {}
        for sub in self.subscribers:
            by_conversation.setdefault(sub.client.conversation_id, []).append(sub)
        last_ms, first_ms, answer_ms = [], [], []
        lost = duplicated = replayed = 0
        for sent in ok:
            receivers = by_conversation[sent.conversation_id]
            times_live = []
            for sub in receivers:
                count = sub.counts.get(sent.seq or 0, 0)
                if count == 0:
                    lost += 1
                    continue
                duplicated += count - 1
                at = sub.first_at.get(sent.client_id)
                if at is None:
                    lost += 1
                    continue
                was_offline = any(a <= at and b >= sent.started for a, b in sub.offline)
                if was_offline:
                    replayed += 1
                else:
                    times_live.append(at)
            if times_live:
                last_ms.append((max(times_live) - sent.started) * 1000)
                first_ms.append((min(times_live) - sent.started) * 1000)
            if sent.answered is not None:
                answer_ms.append((sent.answered - sent.started) * 1000)
        pairs = sum(len(by_conversation[s.conversation_id]) for s in ok)
        return {
            "send_over": self.via,
            "messages_sent": len(self.sent),
            "messages_accepted": len(ok),
            "send_errors": len(errors),
            "first_errors": errors[:3],
            "rate_achieved": round(len(ok) / sending, 1) if sending else 0.0,
            "deliveries": pairs,
            "lost": lost,
            "duplicated": duplicated,
            "delivered_by_replay": replayed,
            "reconnects": sum(s.reconnects for s in self.subscribers),
            # Connections that ended other than by our own churn, by who closed and the code.
            "closed_by_server": sum(
                n for r, n in self.closes.items() if r.startswith(("server", "dropped"))
            ),
            "close_reasons": dict(sorted(self.closes.items())),
            "connection_errors": len(self.errors),
            "first_connection_errors": sorted(set(self.errors))[:3],
            "last_subscriber_ms": _stats(last_ms),
            "first_subscriber_ms": _stats(first_ms),
            "answer_ms": _stats(answer_ms),
            "sender_lag_max_ms": round(lag_max * 1000, 1),
            "wall_seconds": round(wall, 1),
        }


def _close_reason(error: Exception) -> str:
    """Who ended a connection and how: "server 1011 …" (its close frame came first), "client
    1011 keepalive ping timeout" (our side), "dropped 1006" (no closing handshake), or the
    error that made the client reconnect."""
    from websockets.exceptions import ConnectionClosed

    if not isinstance(error, ConnectionClosed):  # e.g. a subscription error in a `next`
        return f"error {type(error).__name__}: {str(error)[:120]}"
    if error.rcvd is not None and (error.sent is None or error.rcvd_then_sent):
        return f"server {error.rcvd.code} {error.rcvd.reason}".strip()
    if error.sent is not None:
        return f"client {error.sent.code} {error.sent.reason}".strip()
    return "dropped 1006"


def _stats(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p99": 0.0, "max": 0.0}
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {
        "p50": round(statistics.median(ordered), 1),
        "p99": round(p99, 1),
        "max": round(ordered[-1], 1),
    }


# Report ------------------------------------------------------------------------------------


def machine() -> str:
    cores = os.cpu_count()
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        memory = 0
    return (
        f"{cores} cores, {memory:.0f} GiB RAM, Linux {platform.release()}, Python "
        f"{platform.python_version()}; PostgreSQL and Redis on the same machine"
    )


def render(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    rows = []
    labels = {
        "day": f"(a) day: 200 clients, 50 conversations, {args.rate:g} msg/s, {args.seconds:g} s",
        "day_churn": "(a) same, 10 % of clients dropping and resubscribing with afterSeq",
        "hot": f"(b) hot room: 100 clients, 1 conversation, {args.hot_rate:g} msg/s, "
        f"{args.hot_seconds:g} s",
    }
    for name, figures in results.items():
        phase = name.removesuffix("_ws")
        last = figures["last_subscriber_ms"]
        ratio = last["p99"] / TARGET_P99_MS[phase]
        verdict = (
            "OK" if ratio <= 1 and not figures["lost"] and not figures["duplicated"] else "MISS"
        )
        answer = figures["answer_ms"]
        rows.append(
            f"| {labels[phase]} | {VIA_LABELS[figures['send_over']]} | "
            f"{figures['messages_accepted']} / {figures['deliveries']} "
            f"({figures['rate_achieved']:g}/s) | "
            f"{last['p50']} / {last['p99']} / {last['max']} | {ratio:.2f} | "
            f"{figures['lost']} / {figures['duplicated']} | {figures['delivered_by_replay']} | "
            f"{answer['p50']} / {answer['p99']} | "
            f"{figures['first_subscriber_ms']['p50']} / {figures['first_subscriber_ms']['p99']} "
            f"| {figures['reconnects']} / {figures['closed_by_server']} | {verdict} |"
        )
    now = datetime.now(UTC)
    return "\n".join(
        [
            SECTION,
            "",
            f"Run {now:%Y-%m-%d %H:%M} UTC with `.venv/bin/python -m bench hotline` (part of "
            f"`make bench`); --seconds {args.seconds:g} --hot-seconds {args.hot_seconds:g}. "
            "Figures also in `bench/results/hotline.json` (gitignored).",
            "",
            f"- Machine: {machine()}; the load generator (one asyncio process: HTTP sends with "
            "httpx, subscribers with `websockets`) runs on the same 2 cores.",
            f"- Server: `uvicorn bench.asgi:application --ws {args.ws_impl} "
            f"--ws-per-message-deflate false --workers {WEB_WORKERS}` "
            "(DB_POOL=1, as `make run` starts the web tier); chat groups on "
            "`RedisPubSubChannelLayer`; fresh database "
            f"`{DB_NAME}`, Redis db {BENCH_REDIS_DB}.",
            "- Sent over: HTTP (a POST of `sendHotlineMessage` with the token) or WebSocket (the "
            "same mutation over the sender's own open graphql-transport-ws connection, as the "
            "chat page sends; in the churn phase only clients that stay connected send).",
            "- Latency: from just before the send (which answers after the commit) to the moment "
            "the LAST subscriber of the conversation that was connected throughout has the "
            "message; per message, p50/p99/max over messages. Lost/duplicated: over every "
            "(message, subscriber) pair, deliveries by replay after a reconnect included. "
            "Targets (issue 14): p99 <= 50 ms in (a), <= 100 ms with churn and in (b), nothing "
            "lost or duplicated. Reconnects: connections that ended other than by the churn; "
            "closed by the server: of those, the ones the server closed (`close_reasons` in the "
            "JSON says how).",
            "",
            "| phase | sent over | messages / deliveries (rate) | send → all subscribers p50 / "
            "p99 / max ms | p99 / target | lost / duplicated | delivered by replay | answer "
            "p50 / p99 ms | send → first subscriber p50 / p99 ms | reconnects / closed by "
            "server | |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
            *rows,
            "",
        ]
    )


def write_docs(section: str) -> None:
    """Replace (or append) only the hotline section of docs/benchmarks.md."""
    text = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    notes_marker = "### Reading the hotline figures"
    pattern = re.compile(
        rf"^{re.escape(SECTION)}\n.*?(?=^{re.escape(notes_marker)}|^## |\Z)", re.S | re.M
    )
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOCS.write_text(text)


async def measure(
    base: str, day: list[Client], hot: list[Client], args: argparse.Namespace, server_pid: int
) -> dict:
    results = {}
    vias = ("http", "ws") if args.send == "both" else (args.send,)
    phases = (
        ("day", day, args.rate, args.seconds, 0.0),
        ("day_churn", day, args.rate, args.seconds, 0.1),
        ("hot", hot, args.hot_rate, args.hot_seconds, 0.0),
    )
    for name, clients, rate, seconds, churn in phases:
        for via in vias:
            key = name if via == "http" else f"{name}_ws"
            print(
                f"{key}: {len(clients)} clients, {rate:g} msg/s over {VIA_LABELS[via]}, "
                f"{seconds:g} s, churn {churn:.0%}",
                flush=True,
            )
            # The server sampled while the messages are sent (when BENCH_PROFILE_DIR is set).
            phase = Phase(base, clients, rate, seconds, via, profile=(f"hotline-{key}", server_pid))
            results[key] = await phase.run(churn)
            print(json.dumps(results[key]), flush=True)
    return results


def record_summary(results: dict[str, dict[str, Any]]) -> None:
    """The figures of issue 14's table (bench/summary.py), both ways of sending."""
    from bench import summary

    def p99(key: str) -> float | None:
        return results[key]["last_subscriber_ms"]["p99"] if key in results else None

    steady = [results[key] for key in ("day", "day_ws") if key in results]
    summary.record(
        "hotline",
        day_p99_http=p99("day"),
        day_p99_ws=p99("day_ws"),
        day_churn_p99_http=p99("day_churn"),
        day_churn_p99_ws=p99("day_churn_ws"),
        hot_p99_http=p99("hot"),
        hot_p99_ws=p99("hot_ws"),
        steady_reconnects=sum(r["reconnects"] for r in steady) if steady else None,
        steady_closed_by_server=sum(r["closed_by_server"] for r in steady) if steady else None,
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    database_url, redis_url = prepare()
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = redis_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    day, hot = load_data()
    port = free_port()
    RESULTS_DIR.mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DB_POOL": "1"}
    server = start_server(port, RESULTS_DIR / "hotline.uvicorn.log", env, args.ws_impl)
    try:
        results = asyncio.run(measure(f"http://127.0.0.1:{port}", day, hot, args, server.pid))
    finally:
        stop_server_group(server)
    (RESULTS_DIR / "hotline.json").write_text(json.dumps(results, indent=2))
    record_summary(results)
    section = render(results, args)
    print(section)
    if not args.no_write:
        write_docs(section)
    failed = any(r["lost"] or r["duplicated"] or r["send_errors"] for r in results.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
