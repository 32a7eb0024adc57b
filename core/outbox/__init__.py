"""The one delivery mechanism: events committed with the change they announce, delivered after
commit by Celery, retried per topic, dead-lettered, revived from admin, re-driven by the beat."""
