"""The live hotline: conversations between an organization and the platform's staff, and their
numbered messages."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from liaison.models import LegalRequest, TenantQuerySet


class ConversationQuerySet(TenantQuerySet["Conversation"]):
    """Reusable filters for hotline conversations; `visible_to`: the actor's organization's,
    all for platform staff, none otherwise (liaison's one tenancy rule)."""


class Conversation(models.Model):
    """A live line between one organization and the platform's staff.

    Each organization has one main conversation (`legal_request` empty); staff may open one more
    per legal request. `last_seq` is the sequence number of the newest message: a send takes the
    next one with an UPDATE … RETURNING, which also serializes the conversation's senders, so
    messages commit in `seq` order.
    """

    organization = models.ForeignKey(
        "liaison.Organization", on_delete=models.PROTECT, related_name="hotline_conversations"
    )
    legal_request = models.OneToOneField(
        LegalRequest,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hotline_conversation",
        help_text="Empty for the organization's main line.",
    )
    title = models.CharField(max_length=200)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_message_at = models.DateTimeField(null=True, blank=True)
    last_urgent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        ordering = ["-last_message_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(legal_request__isnull=True),
                name="conversation_one_main_line_per_org",
            )
        ]

    def __str__(self) -> str:
        return self.title


class MessageKind(models.TextChoices):
    """Who wrote a message: a person, or the switchboard reporting on a report's routing."""

    USER = "USER", "Message"
    SYSTEM = "SYSTEM", "Switchboard notice"


class Message(models.Model):
    """One message of a conversation, numbered by `seq` (strictly increasing, no reuse).

    `client_message_id` is the sender's own id for the message: a retried send with the same id
    returns the first message (unique per author). An urgent message links the MODERATION_NOTICE
    request it raised; a switchboard notice links the request whose routing it announces.
    """

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=10, choices=MessageKind.choices, default=MessageKind.USER)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hotline_messages",
    )
    author_name = models.CharField(max_length=200, help_text="As shown in the chat.")
    author_is_staff = models.BooleanField(default=False)
    body = models.TextField()
    urgent = models.BooleanField(default=False)
    # NULL for switchboard notices, so that the per-author unique constraint ignores them.
    client_message_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    sent_at = models.DateTimeField(default=timezone.now)
    legal_request = models.ForeignKey(
        LegalRequest,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hotline_messages",
        help_text="The request this urgent message raised, or whose routing it announces.",
    )

    class Meta:
        # By the column, not the relation: ordering by "conversation" would join the
        # conversation table for its own ordering on every message query.
        ordering = ["conversation_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="message_seq_unique"),
            models.UniqueConstraint(
                fields=["author", "client_message_id"],
                condition=Q(client_message_id__isnull=False),
                name="message_client_id_per_author",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} in {self.conversation_id} by {self.author_name}"
