"""The Celery application and the one place where queues are declared."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
# urgent: short legal clocks, urgent tickets' notifications, the beat's sweep and re-drive;
# default: the rest; retry: every outbox topic's retries, so failing work never clogs urgent.
app.conf.task_queues = (
    Queue("urgent"),
    Queue("default"),
    Queue("retry"),
)
app.conf.task_default_queue = "default"
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def _recycle_database_connections(**kwargs: object) -> None:
    """What Django does around each request, done around each task: drop a connection that is
    broken or older than CONN_MAX_AGE, and health-check the kept one on its next use.

    The Django fixup keeps connections open only every CELERY_DB_REUSE_MAX tasks (see settings);
    this makes reusing them safe.
    """
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        # Never inside a transaction (an eager task in a test, or a caller's atomic block).
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
