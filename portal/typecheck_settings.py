"""Settings for mypy's django-stubs plugin (pyproject.toml): the portal's own, importable with
no environment. The plugin only reads them, so a placeholder SECRET_KEY is all they need; nothing
else may use this module (portal/settings.py refuses to start without a real key)."""

import os

os.environ.setdefault("SECRET_KEY", "mypy-django-stubs-placeholder-never-served")

from portal.settings import *  # noqa: F403
