"""The composition root: settings, ASGI and URL routing, Celery, the root GraphQL schema, the
run command and the embedded development servers."""

from portal.celery import app as celery_app

__all__ = ["celery_app"]
