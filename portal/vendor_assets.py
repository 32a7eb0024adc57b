"""Third-party browser assets, installed from the npm registry and served from /static/vendor/.

No page loads anything from a CDN (the CSP allows only our own origin). The versions are pinned
in portal/vendor/package.json and its package-lock.json (integrity hashes); `ensure_vendor_assets`
runs `npm ci` into var/npm/ when a file is missing and copies the few files the pages use into
portal/static/vendor/ (git-ignored), where the static finders (and collectstatic) find them.
`make run`, the Dockerfile and the browser tests call it; `python -m portal.vendor_assets` too.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent / "vendor"  # package.json, package-lock.json
NPM_PREFIX = ROOT / "var" / "npm"
STATIC_VENDOR = Path(__file__).resolve().parent / "static" / "vendor"
NPM_TIMEOUT_SECONDS = 600

# Where each served file comes from, inside node_modules/ (static path -> package path).
FILES = {
    "graphiql/graphiql.min.js": "graphiql/graphiql.min.js",
    "graphiql/graphiql.min.css": "graphiql/graphiql.min.css",
    "react/react.production.min.js": "react/umd/react.production.min.js",
    "react-dom/react-dom.production.min.js": "react-dom/umd/react-dom.production.min.js",
    "graphql-ws/graphql-ws.min.js": "graphql-ws/umd/graphql-ws.min.js",
    "axe-core/axe.min.js": "axe-core/axe.min.js",
}


class VendorAssetsError(RuntimeError):
    """The assets are missing and npm could not install them (the message says why)."""


def missing_vendor_assets() -> list[str]:
    """The static paths (under vendor/) that are not in place yet."""
    return [name for name in FILES if not (STATIC_VENDOR / name).is_file()]


def ensure_vendor_assets() -> Path:
    """Install the pinned packages with `npm ci` when a file is missing; return the folder."""
    if not missing_vendor_assets():
        return STATIC_VENDOR
    npm = shutil.which("npm")
    if npm is None:
        raise VendorAssetsError(
            "npm is not installed: it fetches GraphiQL, React and axe-core (pinned in "
            "portal/vendor/package-lock.json); on Debian: apt-get install npm"
        )
    NPM_PREFIX.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(PACKAGE_DIR / name, NPM_PREFIX / name)
    argv = [npm, "ci", "--prefix", str(NPM_PREFIX), "--ignore-scripts", "--no-audit", "--no-fund"]
    result = subprocess.run(  # noqa: S603 (a fixed command line)
        argv, capture_output=True, text=True, timeout=NPM_TIMEOUT_SECONDS, check=False
    )
    if result.returncode != 0:
        raise VendorAssetsError(
            f"`{' '.join(argv)}` failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
        )
    for name, source in FILES.items():
        target = STATIC_VENDOR / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(NPM_PREFIX / "node_modules" / source, target)
    if missing := missing_vendor_assets():
        raise VendorAssetsError(f"npm ci ran but these files are still missing: {missing}")
    return STATIC_VENDOR


if __name__ == "__main__":
    try:
        print(ensure_vendor_assets())
    except VendorAssetsError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
