"""The one table `make bench` ends with: every figure of issue 14, its target and the ratio.

Each benchmark leaves its figures in bench/results/ (gitignored) through `record(bench,
**figures)` (summary-<bench>.json; the hotline's with both ways of sending; graphql_api records
its pooled ratio there, its graphql_api.json holds both database modes). `python -m bench`
notes when it started, and the table takes only figures written since (an older file would be
another run's: "not measured" instead). `python -m bench summary` prints the table of the files
as they are.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"

Figures = dict[str, Any]


def record(bench: str, **figures: float | int | None) -> None:
    """Keep a benchmark's figures for the summary table."""
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / f"summary-{bench}.json").write_text(json.dumps(figures, indent=2) + "\n")


@dataclass(frozen=True)
class Figure:
    """One row: where its value comes from, its target, and which way is better."""

    label: str
    source: str  # the results file
    read: Callable[[Figures], float | None]
    unit: str
    target: float | None  # None: reported, no target
    at_most: bool = False  # the target is an upper bound (latency, statements)
    beside: Callable[[Figures], str] | None = None  # a figure shown next to it

    def ratio(self, value: float) -> str:
        if self.target is None:
            return "report"
        if self.at_most:
            verdict = "OK" if value <= self.target else "MISS"
            ratio = value / self.target if self.target else (0.0 if value == 0 else math.inf)
            return f"{ratio:.2f} of the limit {verdict}"
        verdict = "OK" if value >= self.target else "MISS"
        return f"{value / self.target:.2f}x {verdict}"


def _get(*path: str) -> Callable[[Figures], float | None]:
    def read(figures: Figures) -> float | None:
        value: Any = figures
        for key in path:
            if not isinstance(value, dict) or key not in value:
                return None
            value = value[key]
        return None if value is None else float(value)

    return read


def _submissions(figures: Figures) -> str:
    rate = figures.get("submissions_per_second")
    return f"submitted at {rate:.0f}/s" if rate is not None else ""


def _closed_by_server(figures: Figures) -> str:
    closed = figures.get("steady_closed_by_server")
    return f"{closed:.0f} closed by the server" if closed is not None else ""


FIGURES = (
    Figure(
        "machine floor: Redis round trip (PING) p50, this run",
        "summary-floors.json", _get("redis_p50_ms"), " ms", None,
    ),
    Figure(
        "machine floor: PostgreSQL INSERT + COMMIT p50, this run",
        "summary-floors.json", _get("commit_p50_ms"), " ms", None,
    ),
    Figure(
        "switchboard burst (5,000 + 50 urgent): routings/s, first submission to last routing",
        "summary-switchboard.json", _get("overall_rate"), "/s", None, beside=_submissions,
    ),
    Figure(
        "drain rate of a 5,000 backlog already committed (workers started after the burst)",
        "summary-switchboard.json", _get("backlog_drain_rate"), "/s", 300,
    ),
    Figure(
        "urgent p99 behind that backlog",
        "summary-switchboard.json", _get("urgent_p99"), " ms", 100, at_most=True,
    ),
    Figure(
        "urgent p99, 50 urgent orders sent within one second",
        "summary-switchboard.json", _get("urgent_burst_p99"), " ms", 250, at_most=True,
    ),
    Figure(
        "one routing in-process (routing_cost): SQL statements",
        "summary-routing_cost.json", _get("route_statements"), "", 6, at_most=True,
    ),
    Figure(
        "one routing in-process (routing_cost): CPU",
        "summary-routing_cost.json", _get("route_cpu_ms"), " ms", 4, at_most=True,
    ),
    Figure(
        "hotline (a) 200 clients, 50 msg/s: send -> every subscriber p99, sent over HTTP",
        "summary-hotline.json", _get("day_p99_http"), " ms", 50, at_most=True,
    ),
    Figure(
        "hotline (a) same, sent over the open WebSocket",
        "summary-hotline.json", _get("day_p99_ws"), " ms", 50, at_most=True,
    ),
    Figure(
        "hotline (a) with 10 % of clients dropping and resubscribing: p99, over HTTP",
        "summary-hotline.json", _get("day_churn_p99_http"), " ms", 100, at_most=True,
    ),
    Figure(
        "hotline (a) with 10 % dropping and resubscribing: p99, over the WebSocket",
        "summary-hotline.json", _get("day_churn_p99_ws"), " ms", 100, at_most=True,
    ),
    Figure(
        "hotline (b) hot room, 100 clients, 10 msg/s: p99, over HTTP",
        "summary-hotline.json", _get("hot_p99_http"), " ms", 100, at_most=True,
    ),
    Figure(
        "hotline (b) hot room: p99, over the WebSocket",
        "summary-hotline.json", _get("hot_p99_ws"), " ms", 100, at_most=True,
    ),
    Figure(
        "WebSocket connections ended during the steady phases (a), HTTP and WebSocket sends",
        "summary-hotline.json", _get("steady_reconnects"), "", 0, at_most=True,
        beside=_closed_by_server,
    ),
    Figure(
        "GraphQL legalRequests(first: 50) vs the plain JSON view",
        "summary-graphql_api.json", _get("ratio_graphql_to_plain"), "x", 0.8,
    ),
)  # fmt: skip


def load(since: float | None = None) -> dict[str, Figures]:
    """The results files (written since `since`, a time.time(), when given)."""
    found: dict[str, Figures] = {}
    for source in {figure.source for figure in FIGURES}:
        path = RESULTS_DIR / source
        if not path.exists() or (since is not None and path.stat().st_mtime < since):
            continue
        try:
            found[source] = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
    return found


def render(results: dict[str, Figures]) -> str:
    """The markdown table of every figure."""
    lines = [
        "| figure | measured | target | ratio |",
        "|---|---|---|---|",
    ]
    for figure in FIGURES:
        figures = results.get(figure.source, {})
        value = figure.read(figures)
        if figure.target is None:
            target = "report"
        elif figure.at_most and figure.target == 0:
            target = "0"
        else:
            target = f"{'<=' if figure.at_most else '>='} {figure.target:g}{figure.unit}"
        if value is None or math.isnan(value):
            lines.append(f"| {figure.label} | not measured | {target} | - |")
            continue
        measured = (
            f"{value:.3g}{figure.unit}" if figure.unit == "x" else f"{value:.0f}{figure.unit}"
        )
        if figure.unit == " ms" and value < 1:
            measured = f"{value:.3f}{figure.unit}"
        elif (figure.unit == " ms" and value < 10) or figure.label.endswith("CPU"):
            measured = f"{value:.1f}{figure.unit}"
        if figure.beside is not None and figure.beside(figures):
            measured += f" ({figure.beside(figures)})"
        lines.append(f"| {figure.label} | {measured} | {target} | {figure.ratio(value)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the table of the results files as they are (`python -m bench summary`)."""
    print(render(load()))
    return 0


def started() -> float:
    """When a run starts (the table then takes only figures written after it)."""
    return time.time()
