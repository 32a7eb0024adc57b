"""GraphQL object types of the hotline chat, built from the chat's plain records."""

from __future__ import annotations

from datetime import datetime

import strawberry

from core.graphql.ids import encode_global_id
from hotline import models
from hotline.models import Conversation, Message
from hotline.records import MessageView, ReportView
from liaison.schema.enums import OrganizationKind, RequestCategory, RequestStatus

MessageKind = strawberry.enum(models.MessageKind, name="HotlineMessageKind")


@strawberry.type(name="HotlineAuthor")
class HotlineAuthor:
    """Who wrote a message, as the chat shows them."""

    display_name: str
    is_staff: bool = strawberry.field(description="Platform staff (not the organization).")


@strawberry.type(name="HotlineReport")
class HotlineReport:
    """The MODERATION_NOTICE an urgent message raised: where it went and by when."""

    request_id: strawberry.ID = strawberry.field(description="The LegalRequest's global id.")
    reference: str
    category: RequestCategory
    status: RequestStatus
    desk: str | None = strawberry.field(description="The desk handling it, once routed.")
    due_at: datetime | None = strawberry.field(description="Its deadline, once routed.")

    @classmethod
    def build(cls, report: ReportView) -> HotlineReport:
        return cls(
            request_id=encode_global_id("LegalRequest", report.request_id),
            reference=report.reference,
            category=RequestCategory(report.category),
            status=RequestStatus(report.status),
            desk=report.desk or None,
            due_at=report.due_at,
        )


@strawberry.type(name="HotlineMessage")
class HotlineMessage:
    """One message of a hotline conversation; `seq` strictly increases within it."""

    id: strawberry.ID
    conversation_id: strawberry.ID
    seq: int
    kind: MessageKind  # type: ignore[valid-type]
    body: str
    author: HotlineAuthor
    sent_at: datetime
    urgent: bool
    client_message_id: str | None
    report: HotlineReport | None

    @classmethod
    def build(cls, message: MessageView) -> HotlineMessage:
        return cls(
            id=encode_global_id("HotlineMessage", message.pk),
            conversation_id=conversation_global_id(message.conversation_id),
            seq=message.seq,
            kind=MessageKind(message.kind),
            body=message.body,
            author=HotlineAuthor(
                display_name=message.author_name, is_staff=message.author_is_staff
            ),
            sent_at=message.sent_at,
            urgent=message.urgent,
            client_message_id=message.client_message_id,
            report=HotlineReport.build(message.report) if message.report else None,
        )


def conversation_global_id(pk: int) -> strawberry.ID:
    """The global id of a conversation."""
    return encode_global_id("HotlineConversation", pk)


@strawberry.type(name="HotlineConversation")
class HotlineConversation:
    """A live line between one organization and the platform's staff."""

    id: strawberry.ID
    title: str
    organization_name: str
    organization_kind: OrganizationKind
    is_main_line: bool
    last_seq: int = strawberry.field(description="The seq of the newest message (0: none yet).")
    last_message_at: datetime | None
    last_urgent_at: datetime | None
    reports: list[HotlineReport] = strawberry.field(
        description="The newest reports raised in this conversation, with their desk and deadline."
    )

    @classmethod
    def build(cls, conversation: Conversation, reports: list[Message]) -> HotlineConversation:
        return cls(
            id=conversation_global_id(conversation.pk),
            title=conversation.title,
            organization_name=conversation.organization.name,
            organization_kind=OrganizationKind(conversation.organization.kind),
            is_main_line=conversation.legal_request_id is None,
            last_seq=conversation.last_seq,
            last_message_at=conversation.last_message_at,
            last_urgent_at=conversation.last_urgent_at,
            reports=[
                HotlineReport.build(report)
                for report in (MessageView.from_row(m).report for m in reports)
                if report is not None
            ],
        )


@strawberry.type(name="HotlinePresence")
class HotlinePresence:
    """Who is around a conversation: staff online, and who just typed."""

    staff_online: int = strawberry.field(description="Staff with the hotline open right now.")
    typing: str | None = strawberry.field(description="Display name of who is typing, if anyone.")
    typing_is_staff: bool = False


__all__ = [
    "HotlineAuthor",
    "HotlineConversation",
    "HotlineMessage",
    "HotlinePresence",
    "HotlineReport",
    "conversation_global_id",
]
