"""The Celery application and the one place where queues are declared."""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = (
    Queue("urgent"),
    Queue("default"),
    Queue("retry"),
)
app.conf.task_default_queue = "default"
app.autodiscover_tasks()
