"""A real headless Chromium for the browser tests: Debian's `chromium` driven by Playwright.

`ensure_chromium()` installs the Debian package when it is missing and we are root (apt-get,
idempotent), and FAILS the test with the reason otherwise: a browser test that cannot run must
not pass as skipped. Playwright's own browser downloads are not used (`playwright install`
cannot reach its CDN here).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_TIMEOUT_SECONDS = 600


def ensure_chromium() -> Path:
    """The Chromium binary, installed with apt-get when missing (and possible)."""
    if CHROMIUM.exists():
        return CHROMIUM
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        pytest.fail(
            f"{CHROMIUM} is missing and cannot be installed here (needs apt-get and root): "
            "install Debian's `chromium` package to run the browser tests."
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    steps = ([apt, "install", "-y", "-q", "chromium"],)
    for argv in ([apt, "update", "-q"], *steps):
        result = subprocess.run(
            argv, env=env, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_SECONDS
        )
        if result.returncode != 0:
            pytest.fail(
                f"`{' '.join(argv)}` failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
            )
    if not CHROMIUM.exists():
        pytest.fail(f"apt-get installed chromium but {CHROMIUM} is still missing")
    return CHROMIUM
