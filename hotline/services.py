"""Every write of the hotline chat: conversations, messages (ordered, idempotent, rate-limited),
urgent reports through the switchboard, switchboard notices and typing signals.

Writes are atomic and keyword-only; broadcasts leave through hotline.events after commit.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.actors import PLATFORM_STAFF, Actor, public_name
from core.durations import humanize_duration
from core.ratelimit import rate_limit_hit
from core.redis import get_redis
from hotline import events, selectors
from hotline.models import Conversation, Message, MessageKind
from hotline.records import MessageView
from liaison import instruments
from liaison.models import (
    LegalRequest,
    Organization,
    OrganizationKind,
    RequestCategory,
    RequestKind,
    RequestOrigin,
    TargetKind,
)
from liaison.submission import LegalRequestSpec, TargetSpec, legal_request_submit

BODY_MAX_BYTES = 8 * 1024
CLIENT_MESSAGE_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
REPORT_KEY_PREFIX = "hotline:"  # keeps report keys apart from the API's own keys
SWITCHBOARD_NAME = "Switchboard"
TYPING_MIN_INTERVAL_MS = 2000
LEGAL_BASIS: dict[str, str] = {
    OrganizationKind.NGO: "Trusted flagger notice (Reg. (EU) 2022/2065, Art. 22)",
    OrganizationKind.AUTHORITY: "Notice under the platform's terms of service",
}
# Targets found in an urgent message's text when the report form lists none.
LINK_RE = re.compile(r"(?:https?://)?(?:www\.)?(?:t\.me|telegram\.me)/[^\s<>()\"']+", re.I)
HANDLE_RE = re.compile(r"(?<![\w@/])@([A-Za-z][A-Za-z0-9_]{3,31})\b")


def messages_per_minute() -> int:
    """The per-sender limit (setting HOTLINE_MESSAGES_PER_MINUTE, default 60)."""
    return int(getattr(settings, "HOTLINE_MESSAGES_PER_MINUTE", 60))


# Conversations ---------------------------------------------------------------------------------


def conversation_main_ensure(*, organization: Organization) -> Conversation:
    """The organization's main hotline conversation, created if missing (idempotent)."""
    existing = Conversation.objects.filter(
        organization=organization, legal_request__isnull=True
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Conversation.objects.create(
                organization=organization, title=f"{organization.name} hotline"
            )
    except IntegrityError:  # created concurrently: the unique constraint kept one
        return Conversation.objects.get(organization=organization, legal_request__isnull=True)


def conversation_open_for_request(*, actor: Actor, legal_request_id: object) -> Conversation:
    """Staff open (or find) the conversation about one legal request, with its organization."""
    if not actor.is_staff or actor.organization_id is not None:
        raise ValidationError(
            {"legalRequestId": ValidationError("Only staff open request lines.", code="forbidden")}
        )
    pk = _uuid_or_none(legal_request_id)
    legal_request = (
        LegalRequest.objects.select_related("organization")
        .filter(pk=pk or "00000000-0000-0000-0000-000000000000")
        .first()
    )
    if legal_request is None:
        raise ValidationError(
            {"legalRequestId": ValidationError("No legal request with this id.", code="not_found")}
        )
    try:
        with transaction.atomic():
            conversation, _ = Conversation.objects.get_or_create(
                legal_request=legal_request,
                defaults={
                    "organization": legal_request.organization,
                    "title": f"Request {legal_request.reference}",
                },
            )
    except IntegrityError:
        conversation = Conversation.objects.get(legal_request=legal_request)
    return conversation


def _uuid_or_none(value: object) -> str | None:
    import uuid

    from strawberry.relay import from_base64

    raw = str(value or "")
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        pass
    try:
        _, raw = from_base64(raw)
        return str(uuid.UUID(raw))
    except (ValueError, TypeError):
        return None


# Messages --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportSpec:
    """The report form of an urgent message: what it is about and what to act on."""

    category: str = RequestCategory.OTHER
    targets: tuple[TargetSpec, ...] = ()
    jurisdiction: str | None = None


def author_display_name(actor: Actor, *, desk: str | None = None) -> str:
    """How the actor appears in the chat (as message author and in "… is typing").

    Platform staff appear as `core.actors.public_name` says (the desk, with the display name
    they chose), never by e-mail or username: `desk` is the one handling the conversation's
    request ("Platform staff" on a main line). A member: full name, else e-mail or username.
    """
    if actor.is_platform_staff:
        return public_name(actor, desk=desk)[:200]
    user = actor.user
    name = (user.get_full_name() or "").strip() or str(user.email or user.get_username())
    return name[:200]


def conversation_desk(conversation: Conversation) -> str:
    """The public name of the desk that answers in a conversation: the one handling its legal
    request, "Platform staff" on an organization's main line."""
    desk = (
        Conversation.objects.filter(pk=conversation.pk)
        .values_list("legal_request__handling_desk", flat=True)
        .first()
    )
    return desk or PLATFORM_STAFF


def _chat_name(actor: Actor, conversation: Conversation) -> str:
    """The actor's name in this conversation (one query more for staff: the desk)."""
    if actor.is_platform_staff:
        return author_display_name(actor, desk=conversation_desk(conversation))
    return author_display_name(actor)


def _validate(body: str, client_message_id: str) -> str:
    errors: dict[str, list[ValidationError]] = {}
    text = body.strip()
    if not text:
        errors["body"] = [ValidationError("Write a message before sending.", code="required")]
    else:
        size = len(body.encode())
        if size > BODY_MAX_BYTES:
            errors["body"] = [
                ValidationError(
                    f"A message is at most 8 KB ({BODY_MAX_BYTES:,} bytes); this one is "
                    f"{size:,} bytes. Shorten it or split it in two.",
                    code="max_length",
                )
            ]
    if not CLIENT_MESSAGE_ID_RE.match(client_message_id or ""):
        errors["clientMessageId"] = [
            ValidationError(
                "A client message id is 1-64 letters, digits, '.', '_', ':' or '-'.",
                code="invalid",
            )
        ]
    if errors:
        raise ValidationError(errors)
    return text


def report_targets_from_text(text: str) -> list[TargetSpec]:
    """Message links, channel links and @usernames written in a message (in order, once)."""
    found: list[TargetSpec] = []
    seen: set[tuple[str, str]] = set()
    for link in LINK_RE.findall(text):
        link = link.rstrip(".,;:!?")
        path = [p for p in re.split(r"/+", link.split("://")[-1]) if p][1:]
        kind = TargetKind.MESSAGE_LINK if len(path) >= 2 else TargetKind.CHANNEL
        if (kind, link) not in seen:
            seen.add((kind, link))
            found.append(TargetSpec(kind=kind, value=link))
    for handle in HANDLE_RE.findall(text):
        if (TargetKind.USERNAME, handle.lower()) not in seen:
            seen.add((TargetKind.USERNAME, handle.lower()))
            found.append(TargetSpec(kind=TargetKind.USERNAME, value=handle))
    return found[: instruments.MAX_TARGETS]


def _report_submit(
    *, actor: Actor, conversation: Conversation, text: str, report: ReportSpec, key: str
) -> LegalRequest:
    """Submit the urgent message as a MODERATION_NOTICE of the sender's organization."""
    organization = conversation.organization
    targets = list(report.targets) or report_targets_from_text(text)
    if not targets:
        raise ValidationError(
            {
                "report.targets": ValidationError(
                    "Say what to act on: paste the message link, channel or @username in the "
                    "message or in the report form (e.g. https://t.me/channel/123).",
                    code="required",
                )
            }
        )
    spec = LegalRequestSpec(
        kind=RequestKind.MODERATION_NOTICE,
        category=report.category,
        reference=f"HL-{conversation.pk}-{timezone.now():%H%M%S}",
        legal_basis=LEGAL_BASIS.get(organization.kind, LEGAL_BASIS[OrganizationKind.AUTHORITY]),
        jurisdiction=report.jurisdiction or organization.country,
        summary=text,
        targets=targets,
        idempotency_key=key,
        origin=RequestOrigin.HOTLINE,
    )
    try:
        return legal_request_submit(actor=actor, spec=spec)
    except ValidationError as error:
        # Name the report form's fields, so the chat shows each error next to its input.
        if hasattr(error, "error_dict"):
            raise ValidationError(
                {
                    ("body" if field == "summary" else f"report.{field}"): messages
                    for field, messages in error.error_dict.items()
                }
            ) from error
        raise


def message_send(
    *,
    actor: Actor,
    conversation_id: object,
    body: str,
    client_message_id: str,
    urgent: bool = False,
    report: ReportSpec | None = None,
) -> MessageView:
    """Send a message: validated, numbered with the conversation's next `seq`, committed, then
    broadcast. An urgent message (or one with a report) also submits a MODERATION_NOTICE of the
    sender's organization through the switchboard, in the same transaction.

    Idempotent per author and `client_message_id`: a retried send returns the first message.
    Refused with the same "not found" for a missing conversation, another organization's, or
    when the sender no longer has access.
    """
    text = _validate(body, client_message_id)
    user = actor.user
    is_report = urgent or report is not None
    conversation = selectors.conversation_get(
        actor=actor, conversation_id=conversation_id, with_organization=is_report
    )
    decision = rate_limit_hit(bucket=f"hotline:user:{user.pk}", limit=messages_per_minute())
    if not decision.allowed:
        existing = _existing(actor, client_message_id)
        if existing is not None:  # a retry of an accepted message is not a new message
            return existing
        raise ValidationError(
            {
                "body": ValidationError(
                    f"Slow down: at most {decision.limit} messages a minute. You can send "
                    f"again in {decision.retry_after} s (for an emergency, send one urgent "
                    "message with everything in it).",
                    code="rate_limited",
                )
            }
        )
    if is_report and actor.organization_id is None:
        raise ValidationError(
            {"urgent": ValidationError("Staff cannot raise reports here.", code="forbidden")}
        )
    author_name = _chat_name(actor, conversation)  # before the seq's row lock is taken
    try:
        with transaction.atomic():
            legal_request = None
            if is_report:
                # Before taking the seq: the conversation's row lock is held only briefly.
                legal_request = _report_submit(
                    actor=actor,
                    conversation=conversation,
                    text=text,
                    report=report or ReportSpec(),
                    key=f"{REPORT_KEY_PREFIX}{user.pk}:{client_message_id}",
                )
            seq, now = _next_seq(conversation, urgent=is_report)
            message = Message.objects.create(
                conversation=conversation,
                seq=seq,
                kind=MessageKind.USER,
                author=user,
                author_name=author_name,
                author_is_staff=actor.is_staff and actor.organization_id is None,
                body=text,
                urgent=is_report,
                client_message_id=client_message_id,
                sent_at=now,
                legal_request=legal_request,
            )
            view = MessageView.from_row(message)
            events.message_broadcast_on_commit(message=view)
    except IntegrityError:
        # A retried send (the same client id committed before or concurrently): this
        # transaction, and the seq it took, rolled back; answer with the first message.
        existing = _existing(actor, client_message_id)
        if existing is None:
            raise
        return existing
    return view


def _existing(actor: Actor, client_message_id: str) -> MessageView | None:
    """The actor's message with this client id, if it may still see its conversation."""
    message = selectors.message_by_client_id(author=actor.user, client_message_id=client_message_id)
    if message is None:
        return None
    selectors.conversation_get(
        actor=actor, conversation_id=message.conversation_id, with_organization=False
    )
    return MessageView.from_row(message)


def _next_seq(conversation: Conversation, *, urgent: bool) -> tuple[int, datetime]:
    """Take the conversation's next seq and the message's time. The row stays locked until
    commit, so the conversation's messages commit in seq order (a reader never sees seq n+1
    without n) and their times follow their seqs."""
    sets = "last_seq = last_seq + 1, last_message_at = clock_timestamp()"
    if urgent:
        sets += ", last_urgent_at = clock_timestamp()"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Conversation._meta.db_table} SET {sets} "  # noqa: S608 - fixed names
            "WHERE id = %s RETURNING last_seq, last_message_at",
            [conversation.pk],
        )
        row = cursor.fetchone()
    if row is None:
        raise selectors.ConversationNotFound
    return int(row[0]), row[1]


def switchboard_notice_post(
    *, legal_request_id: str, desk: str, due_at: datetime, submitted_at: datetime
) -> MessageView | None:
    """When a report raised in the chat is routed, post a notice with its desk and deadline in
    the conversation it came from (the handler of liaison's ROUTED status event; broadcast after
    commit). Idempotent: a report gets one notice, however often the event is delivered."""
    request_pk = uuid.UUID(legal_request_id)
    origin = (
        Message.objects.filter(legal_request_id=request_pk, kind=MessageKind.USER)
        .only("conversation_id")
        .first()
    )
    if origin is None:
        return None
    if Message.objects.filter(legal_request_id=request_pk, kind=MessageKind.SYSTEM).exists():
        return None
    reference = LegalRequest.objects.filter(pk=request_pk).values_list("reference", flat=True).get()
    conversation = Conversation(pk=origin.conversation_id)
    seq, now = _next_seq(conversation, urgent=False)
    message = Message.objects.create(
        conversation_id=origin.conversation_id,
        seq=seq,
        kind=MessageKind.SYSTEM,
        author=None,
        author_name=SWITCHBOARD_NAME,
        body=f"Report {reference} is with the {desk}. "
        f"Deadline {due_at:%H:%M} UTC ({humanize_duration(due_at - submitted_at)} from receipt).",
        sent_at=now,
        legal_request_id=request_pk,
    )
    view = MessageView.from_row(message)
    events.message_broadcast_on_commit(message=view)
    return view


# Typing ----------------------------------------------------------------------------------------


def typing_signal(*, actor: Actor, conversation_id: object) -> bool:
    """Tell the conversation that the actor is typing: at most one signal per person and
    conversation every 2 s (extra ones are dropped, not refused). True when one was sent."""
    conversation = selectors.conversation_get(actor=actor, conversation_id=conversation_id)
    key = f"liaison:hotline:typing:{conversation.pk}:{actor.user.pk}"
    try:
        first = get_redis().set(key, b"1", nx=True, px=TYPING_MIN_INTERVAL_MS)
    except Exception:
        return False
    if not first:
        return False
    events.typing_broadcast(
        conversation_id=conversation.pk,
        user_id=actor.user.pk,
        name=_chat_name(actor, conversation),
        is_staff=actor.is_staff and actor.organization_id is None,
    )
    return True


STAFF_ONLINE_KEY = selectors.STAFF_ONLINE_KEY
STAFF_ONLINE_TTL = timedelta(seconds=45)


def staff_presence_mark(*, presence_id: str, online: bool) -> None:
    """Record that a staff member's chat page (`presence_id` = "<user id>:<page>") is open, or
    closed; an entry expires on its own after STAFF_ONLINE_TTL without renewal, so a page that
    crashed does not stay online. Staff pages joining or leaving are broadcast."""
    client = get_redis()
    now = timezone.now().timestamp()
    try:
        before = selectors.staff_online_count()
        if online:
            client.zadd(STAFF_ONLINE_KEY, {presence_id: now + STAFF_ONLINE_TTL.total_seconds()})
        else:
            client.zrem(STAFF_ONLINE_KEY, presence_id)
        client.zremrangebyscore(STAFF_ONLINE_KEY, "-inf", now)
        changed = selectors.staff_online_count() != before
    except Exception:
        return
    if changed:
        events.staff_presence_broadcast()
