"""The transactional outbox: events written in the same transaction as the change they announce."""

from django.db import models


class OutboxEvent(models.Model):
    """An event committed together with the change it announces, delivered to handlers at least once.

    Handlers are idempotent; `delivered_at` is set in the same transaction as their effects, so a
    delivery that dies half-way is retried as a whole by the re-drive sweeper.
    """

    class Queue(models.TextChoices):
        URGENT = "urgent"
        DEFAULT = "default"

    topic = models.CharField(max_length=100, db_index=True)
    payload = models.JSONField(default=dict)
    queue = models.CharField(max_length=20, choices=Queue.choices, default=Queue.DEFAULT)
    created_at = models.DateTimeField(auto_now_add=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"],
                name="outbox_undelivered_idx",
                condition=models.Q(delivered_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic} #{self.pk}"
