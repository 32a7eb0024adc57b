"""Project package: settings, ASGI routing, Celery, the root GraphQL schema and the outbox."""

from portal.celery import app as celery_app

__all__ = ["celery_app"]
