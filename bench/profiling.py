"""Where a benchmark phase's time goes: py-spy samples the processes it measures.

Off unless `BENCH_PROFILE_DIR` is set (a profiled run is not a measured run: the sampler takes
some of the same two cores). Then `sampled(name, pid, seconds)` starts
`py-spy record --subprocesses --nonblocking` on the process and its children (a uvicorn's or a
Celery worker's pool), and `Sampling.finish()` writes, under that directory:

- `<name>.folded`: the collapsed stacks (one line per stack and its sample count), which
  flamegraph.pl, speedscope or inferno read;
- `<name>.txt`: the functions with the most samples, on the stack (inclusive) and at the top
  of it (self), as shares of every sample, and the share in each layer of the stack (our
  code, Django, graphql-core/strawberry, Celery/kombu, channels/websockets, psycopg, Redis).
"""

from __future__ import annotations

import collections
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

TOP = 25
RATE_HZ = 97  # not a multiple of the event loops' timers
PORTAL_APPS = "core|liaison|switchboard|hotline|casework|console|transparency|portal"
# A frame's layer, by the file it is in (first match wins).
LAYERS = (
    ("graphql (graphql-core, strawberry)", re.compile(r"graphql/|strawberry")),
    ("celery, kombu, billiard", re.compile(r"celery/|kombu/|billiard/|amqp/")),
    ("channels, websockets, uvicorn, asyncio", re.compile(r"channels|websockets/|uvicorn|asyncio")),
    ("psycopg (PostgreSQL client)", re.compile(r"psycopg")),
    ("redis client", re.compile(r"redis/")),
    ("django", re.compile(r"django/")),
    ("portal code", re.compile(rf"\(({PORTAL_APPS})/")),
)
FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")


def directory() -> Path | None:
    """Where profiles go, or None when profiling is off."""
    value = os.environ.get("BENCH_PROFILE_DIR")
    return Path(value) if value else None


def _py_spy() -> str | None:
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


@dataclass
class Sampling:
    """One py-spy run in the background; `finish` waits for it and writes the summary."""

    name: str
    folded: Path
    process: subprocess.Popen[bytes] | None

    def finish(self) -> Path | None:
        if self.process is None:
            return None
        try:
            self.process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return None
        if not self.folded.exists():
            print(f"profile {self.name}: py-spy wrote nothing (exit {self.process.returncode})")
            return None
        summary = self.folded.with_suffix(".txt")
        summary.write_text(summarize(self.folded.read_text(), title=self.name))
        print(f"profile {self.name}: {summary}", flush=True)
        return summary


def sampled(name: str, pid: int, seconds: float) -> Sampling:
    """Start sampling `pid` and its children for `seconds` (returns at once)."""
    out = directory()
    spy = _py_spy()
    if out is None:
        return Sampling(name, Path(os.devnull), None)
    if spy is None:
        print("BENCH_PROFILE_DIR is set but py-spy is missing (make install brings it)")
        return Sampling(name, Path(os.devnull), None)
    out.mkdir(parents=True, exist_ok=True)
    folded = out / f"{name}.folded"
    folded.unlink(missing_ok=True)
    argv = [
        spy, "record", "--pid", str(pid), "--subprocesses", "--nonblocking",
        "--rate", str(RATE_HZ), "--duration", str(max(1, round(seconds))),
        "--format", "raw", "--output", str(folded),
    ]  # fmt: skip
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return Sampling(name, folded, process)


def _frames(stack: str) -> list[tuple[str, str]]:
    frames = []
    for frame in stack.split(";"):
        match = FRAME.match(frame)
        frames.append((match["function"], match["file"]) if match else (frame, ""))
    return frames


def summarize(text: str, *, title: str) -> str:
    """The top functions (inclusive and self) and the layers of the samples in `text`."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    layers: collections.Counter[str] = collections.Counter()
    total = 0
    for line in text.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = _frames(stack)
        total += count
        names = {f"{function} ({file})" for function, file in frames}
        for name in names:
            inclusive[name] += count
        function, file = frames[-1]
        own[f"{function} ({file})"] += count
        layer = next((label for label, rx in LAYERS if rx.search(f"({file})")), "other (stdlib, C)")
        layers[layer] += count
    lines = [
        f"# {title}: {total} samples at {RATE_HZ} Hz of threads on the CPU (py-spy leaves out "
        "idle ones)",
        "",
        "## Self time by layer (the frame at the top of each sample)",
    ]
    share = max(total, 1)
    lines += [f"{n / share:6.1%}  {layer}" for layer, n in layers.most_common()]
    lines += ["", f"## Top {TOP} functions, inclusive (on the stack)"]
    lines += [f"{n / share:6.1%}  {name}" for name, n in inclusive.most_common(TOP)]
    lines += ["", f"## Top {TOP} functions, self (at the top of the stack)"]
    lines += [f"{n / share:6.1%}  {name}" for name, n in own.most_common(TOP)]
    return "\n".join(lines) + "\n"
