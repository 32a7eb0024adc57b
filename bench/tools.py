"""What the benchmarks need on the machine: `wrk`, from Debian's packages when it is missing.

Installed as tests/browser.py installs Chromium: `apt-get update`, then `apt-get install wrk`,
when we are root and apt-get exists. Without wrk the HTTP benchmarks fall back to a Python
client, which competes with the server for the same cores, so the run says so loudly.
"""

from __future__ import annotations

import os
import shutil
import subprocess

INSTALL_TIMEOUT_SECONDS = 600


def ensure_wrk() -> str | None:
    """The path of `wrk`, installing the Debian package when missing and possible."""
    found = shutil.which("wrk")
    if found or os.environ.get("BENCH_NO_INSTALL"):
        return found
    apt = shutil.which("apt-get")
    if not apt or not hasattr(os, "geteuid") or os.geteuid() != 0:
        print("wrk is missing and cannot be installed here (needs apt-get and root)", flush=True)
        return None
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for argv in ([apt, "update", "-q"], [apt, "install", "-y", "-q", "wrk"]):
        print(f"wrk is missing: {' '.join(argv[0:1] + argv[1:])}", flush=True)
        completed = subprocess.run(
            argv, env=env, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_SECONDS,
            check=False,
        )  # fmt: skip
        if completed.returncode != 0:
            print(f"`{' '.join(argv)}` failed:\n{completed.stderr[-1500:]}", flush=True)
            return None
    found = shutil.which("wrk")
    if found is None:
        print("apt-get installed wrk but it is still not on PATH", flush=True)
    return found
