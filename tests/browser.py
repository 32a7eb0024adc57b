"""A real headless Chromium for the browser tests: Debian's `chromium` driven by Playwright.

`ensure_chromium()` installs the Debian package when it is missing and we are root (apt-get,
idempotent), and FAILS the test with the reason otherwise: a browser test that cannot run must
not pass as skipped. Playwright's own browser downloads are not used (`playwright install`
cannot reach its CDN here). The installs run under a lock shared by the test processes
(`make test` runs two): two apt-gets or two `npm ci` at once would fail or corrupt each other.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
LOCKS = Path(__file__).resolve().parents[1] / "var"


@contextlib.contextmanager
def installing(what: str) -> Iterator[None]:
    """Hold the test processes' lock for installing `what` (var/<what>.lock, flock)."""
    LOCKS.mkdir(exist_ok=True)
    with open(LOCKS / f"{what}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def ensure_chromium() -> Path:
    """The Chromium binary, installed with apt-get when missing (and possible)."""
    if CHROMIUM.exists():
        return CHROMIUM
    with installing("chromium"):
        return _install_chromium()


def _install_chromium() -> Path:
    if CHROMIUM.exists():  # the other test process installed it while this one waited
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


# --- Accessibility: axe-core, installed from the npm registry by the project itself -----------

AXE_FAILING_IMPACTS = frozenset({"serious", "critical"})


def ensure_browser_assets() -> Path:
    """The vendored browser assets (GraphiQL, React, axe-core; portal/vendor/package-lock.json
    pins them), installed with `npm ci` by `portal.vendor_assets` when missing; FAILS the test
    when they cannot be installed. Call it before starting a server whose pages need them."""
    from portal.vendor_assets import VendorAssetsError, ensure_vendor_assets

    try:
        with installing("vendor-assets"):
            return ensure_vendor_assets()
    except VendorAssetsError as error:
        pytest.fail(f"the vendored browser assets are missing and could not be installed: {error}")


def axe_source() -> str:
    """axe-core's script, from the vendored assets (installed when missing)."""
    return (ensure_browser_assets() / "axe-core" / "axe.min.js").read_text(encoding="utf-8")


def assert_no_serious_axe_violations(
    page: Any, *, context: str = "", disabled_rules: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.0/2.1/2.2 A and AA rules, plus best practices) on the page as it is
    now, and FAIL the test on any violation of impact "serious" or "critical", listing each
    rule, its help text and the offending elements. Returns all violations (minor and moderate
    ones included) for the caller to look at.

    The script is evaluated through Playwright (`page.evaluate`, a DevTools call the page's CSP
    does not apply to), never fetched from the network. Call it after the page
    has settled, e.g. once `expect(...)` saw the content you want checked; call it again after
    a change of state (a dialog open, an error shown) to check that state too.

        from tests.browser import assert_no_serious_axe_violations
        page.goto(f"{server}/transparency/")
        assert_no_serious_axe_violations(page, context="transparency at 375 px")

    `disabled_rules`: axe rule ids to skip, each with a reason at the call site (third-party
    widgets we do not control).
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol, which the page's CSP does not govern (a
        # <script> tag would be refused, as it should be), so the page stays under its policy.
        page.evaluate(axe_source() + "\n;undefined")
    result = page.evaluate(
        """async (disabled) => {
            const rules = Object.fromEntries(disabled.map((id) => [id, { enabled: false }]));
            const outcome = await window.axe.run(document, {
                runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                                 "wcag22aa", "best-practice"] },
                rules,
                resultTypes: ["violations"],
            });
            return outcome.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({ target: n.target.join(" "),
                                             summary: n.failureSummary })),
            }));
        }""",
        list(disabled_rules),
    )
    failing = [v for v in result if v["impact"] in AXE_FAILING_IMPACTS]
    if failing:
        lines = [
            f"axe-core: {len(failing)} serious or critical violation(s) on {page.url} {context}"
        ]
        for violation in failing:
            lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']}")
            lines.extend(
                f"    {node['target']}: {(node['summary'] or '').splitlines()[-1:]}"
                for node in violation["nodes"][:8]
            )
        pytest.fail("\n".join(lines))
    return result
