"""Every read of the hotline chat, scoped to the actor: another organization's conversation is
"not found", exactly like a missing one.

Access is re-checked against the database on every call (membership and token still active,
staff still staff), so a member removed while connected is refused at their next subscribe or
send, whatever their WebSocket authenticated with.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone

from core.actors import Actor
from core.errors import NotFound
from core.graphql.ids import decode_global_id, int_pk
from core.redis import get_redis
from hotline.models import Conversation, ConversationQuerySet, Message
from hotline.records import MessageView
from liaison.models import ApiToken, Membership

HISTORY_PAGE_MAX = 200
NOT_FOUND = "No hotline conversation with this id."
BUSY_WINDOW = timedelta(hours=1)
URGENT_WINDOW = timedelta(hours=24)
STAFF_ONLINE_KEY = "liaison:hotline:staff-online"


class ConversationNotFound(NotFound):
    """The conversation is missing, someone else's, or the actor lost access: all look alike.
    (The one NotFound with the conversation's message, on the `conversationId` field.)"""

    def __init__(self, field: str = "conversationId") -> None:
        super().__init__(NOT_FOUND, field=field)


def conversation_pk(conversation_id: object) -> int | None:
    """The primary key in a conversation id: a global id "HotlineConversation:<pk>", or a bare
    pk (the app's own callers); None for anything else."""
    if isinstance(conversation_id, int) and not isinstance(conversation_id, bool):
        raw = str(conversation_id)
    else:
        raw = str(conversation_id or "").strip()
    if raw.isdigit():
        try:
            return int_pk(raw)
        except ValueError:
            return None
    return decode_global_id(raw, "HotlineConversation", int_pk)


def actor_still_allowed(actor: Actor | None) -> Q | None:
    """A condition on conversations that holds only while the actor may still use the chat,
    or None when the actor can never use it."""
    if actor is None:
        return None
    if actor.organization_id is not None:
        if actor.membership_id is None:
            return None
        memberships = Membership.objects.filter(
            pk=actor.membership_id,
            organization_id=OuterRef("organization_id"),
            is_active=True,
            user__is_active=True,
        )
        condition = Q(Exists(memberships))
        if actor.token_id is not None:
            condition &= Q(Exists(ApiToken.objects.usable().filter(pk=actor.token_id)))
        return condition
    if actor.is_platform_staff:
        users = get_user_model().objects.filter(pk=actor.user.pk, is_active=True, is_staff=True)
        return Q(Exists(users))
    return None


def conversation_list(*, actor: Actor | None) -> ConversationQuerySet:
    """The conversations the actor may use right now (membership re-checked)."""
    condition = actor_still_allowed(actor)
    if condition is None:
        return Conversation.objects.none()
    return Conversation.objects.visible_to(actor).filter(condition)


def access_conversation(
    *, actor: Actor | None, conversation_id: object, with_organization: bool = True
) -> Conversation:
    """One conversation the actor may use; ConversationNotFound otherwise (missing, another
    organization's, or access lost): the caller cannot tell these apart. One query."""
    pk = conversation_pk(conversation_id)
    conversation = None
    if pk is not None:
        conversations = conversation_list(actor=actor).filter(pk=pk).order_by()
        if with_organization:
            conversations = conversations.select_related("organization")
        else:
            conversations = conversations.only("pk", "organization_id")
        conversation = next(iter(conversations[:1]), None)
    if conversation is None:
        raise ConversationNotFound
    return conversation


conversation_get = access_conversation  # the name hotline.services calls


def conversation_overview(*, actor: Actor | None, now: Any = None) -> QuerySet[Conversation]:
    """The actor's conversations for the chat's list: for staff, the busiest and most urgent
    first (an urgent message in the last 24 h, then most messages in the last hour, then the
    most recent); for an organization, its main line first."""
    now = now or timezone.now()
    conversations = conversation_list(actor=actor).select_related("organization", "legal_request")
    if actor is not None and actor.is_platform_staff:
        return conversations.annotate(
            urgent_now=Case(
                When(last_urgent_at__gte=now - URGENT_WINDOW, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            recent_messages=Count("messages", filter=Q(messages__sent_at__gte=now - BUSY_WINDOW)),
        ).order_by(
            "-urgent_now",
            "-recent_messages",
            F("last_message_at").desc(nulls_last=True),
            "id",
        )
    return conversations.order_by(
        F("legal_request_id").asc(nulls_first=True), F("last_message_at").desc(nulls_last=True)
    )


def conversation_last_seq(*, conversation_id: int) -> int:
    """The seq of the conversation's newest message (0: none yet), for a stream whose access
    was checked when it started."""
    last_seq = (
        Conversation.objects.filter(pk=conversation_id).values_list("last_seq", flat=True).first()
    )
    return last_seq or 0


def _messages(conversation: Conversation) -> QuerySet[Message]:
    return Message.objects.filter(conversation=conversation).select_related("legal_request")


def message_list(
    *, conversation: Conversation, after_seq: int | None = None, first: int | None = None
) -> list[MessageView]:
    """Messages after `after_seq`, oldest first, at most `first` (bounded by HISTORY_PAGE_MAX).
    Without `after_seq`, the newest `first` messages (still oldest first)."""
    limit = max(1, min(first or HISTORY_PAGE_MAX, HISTORY_PAGE_MAX))
    messages = _messages(conversation)
    if after_seq is None:
        rows = list(messages.order_by("-seq")[:limit])
        rows.reverse()
    else:
        rows = list(messages.filter(seq__gt=after_seq).order_by("seq")[:limit])
    return [MessageView.from_row(row) for row in rows]


def message_range(
    *, conversation_id: int, after_seq: int, up_to_seq: int | None = None
) -> list[MessageView]:
    """Messages with after_seq < seq (≤ up_to_seq), oldest first, at most HISTORY_PAGE_MAX: the
    replay and gap backfill of a subscription whose access was checked when it started."""
    messages = Message.objects.filter(conversation_id=conversation_id, seq__gt=after_seq)
    if up_to_seq is not None:
        messages = messages.filter(seq__lte=up_to_seq)
    rows = messages.select_related("legal_request").order_by("seq")[:HISTORY_PAGE_MAX]
    return [MessageView.from_row(row) for row in rows]


def message_by_client_id(*, author: Any, client_message_id: str) -> Message | None:
    """The author's message with this client id (a retried send), if any."""
    messages = Message.objects.select_related("legal_request").filter(
        author=author, client_message_id=client_message_id
    )
    return next(iter(messages.order_by()[:1]), None)


def conversation_reports(
    *, conversation_ids: list[int], limit: int = 3
) -> dict[int, list[Message]]:
    """Per conversation, the newest urgent messages that raised a request, with it (one query)."""
    rows = (
        Message.objects.filter(
            conversation_id__in=conversation_ids, kind="USER", legal_request__isnull=False
        )
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("conversation_id")], order_by=F("seq").desc())
        )
        .filter(rank__lte=limit)
        .select_related("legal_request")
        .order_by("conversation_id", "-seq")
    )
    grouped: dict[int, list[Message]] = {pk: [] for pk in conversation_ids}
    for row in rows:
        grouped[row.conversation_id].append(row)
    return grouped


def staff_online_count() -> int:
    """How many staff have the hotline open now (their presence not yet expired)."""
    try:
        pages: list[bytes] = get_redis().zrangebyscore(  # type: ignore[assignment]
            STAFF_ONLINE_KEY, timezone.now().timestamp(), "+inf"
        )
    except Exception:
        return 0
    return len({page.split(b":", 1)[0] for page in pages})
