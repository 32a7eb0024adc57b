"""The transactional outbox (events committed with the change they announce) and dead letters."""

from django.db import models
from django.utils import timezone


class OutboxEvent(models.Model):
    """An event committed with the change it announces, delivered to its handlers at least once.

    `topic` names a declared topic (core.outbox.topics), which gives its retry policy; `queue`
    is where its first delivery goes (retries go to `retry`). Handlers are idempotent;
    `delivered_at` is set in the same transaction as their effects, so a delivery that dies
    half-way is retried as a whole. `attempts` counts deliveries, failed ones included.
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
    dead_lettered_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when retries ran out; the re-drive skips it."
    )

    class Meta:
        db_table = "portal_outboxevent"  # the table it had before the move
        indexes = [
            models.Index(
                fields=["created_at"],
                name="outbox_undelivered_idx",
                condition=models.Q(delivered_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic} #{self.pk}"


class DeadLetter(models.Model):
    """An outbox event whose delivery kept failing until its topic's attempts ran out: kept for
    staff to inspect and revive (admin action, `dead_letter_revive`).

    `key` is ``outbox:<event id>``; at most one open (not yet revived) letter exists per key, so
    an event that dies again after a revival gets a new letter, not a duplicate of the open one.
    """

    key = models.CharField(max_length=100)
    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    queue = models.CharField(max_length=20, blank=True)
    outbox_event = models.ForeignKey(
        OutboxEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="dead_letters"
    )
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    redriven_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "portal_deadletter"  # the table it had before the move
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(redriven_at__isnull=True),
                name="dead_letter_one_open_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.task_name})"
