"""ASGI entry point of the benchmark server: the portal's application with the bench settings."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from portal.asgi import application

__all__ = ["application"]
