"""The development SECRET_KEY: generated once into var/secret-key (mode 0600), reused ever after.

settings.py never makes a key up: with DEBUG off and neither SECRET_KEY nor SECRET_KEY_FILE set it
refuses to start. The development entry points put this file's key in the environment first:
`make run` (portal/run.py, whatever the database, and for all its children), manage.py on the
embedded default (no DATABASE_URL), the test plugin and `make bench`; DEBUG=true uses it too.

Importing this module has no side effects and needs nothing but the standard library (settings.py
and manage.py import it before Django is set up).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import tempfile
from collections.abc import MutableMapping
from pathlib import Path

from portal import embedded

FILE_NAME = "secret-key"
# 50 random bytes: 67 URL-safe characters, well above what `check --deploy` asks (50, 5 unique).
KEY_BYTES = 50


def secret_key_path() -> Path:
    """Where the development key lives (under LIAISON_VAR_DIR, like the embedded servers' data)."""
    return embedded.VAR_DIR / FILE_NAME


def load_or_create(path: Path | None = None) -> str:
    """The key in `path` (default var/secret-key), generated there first if it does not exist.

    The file is written private (0600) to a temporary name and linked into place, so two
    processes starting at once agree on one key; an existing file readable by others is made
    private again.
    """
    path = path or secret_key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{FILE_NAME}-")
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, (secrets.token_urlsafe(KEY_BYTES) + "\n").encode())
            os.close(fd)
            with contextlib.suppress(FileExistsError):  # another process won: use its key
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    elif stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(0o600)
    key = path.read_text().strip()
    if not key:
        raise RuntimeError(f"{path} is empty: delete it and a new SECRET_KEY is generated")
    return key


def ensure_in_environ(environ: MutableMapping[str, str], path: Path | None = None) -> bool:
    """Put the development key in `environ` as SECRET_KEY unless SECRET_KEY or SECRET_KEY_FILE
    is already set there. True if it did."""
    if environ.get("SECRET_KEY") or environ.get("SECRET_KEY_FILE"):
        return False
    environ["SECRET_KEY"] = load_or_create(path)
    return True
