"""Plain data the chat hands around: a message as the API shows it, built from a row or an event.

The same `MessageView` comes out of the database (history, replay, backfill) and out of a
broadcast (live), so that both paths give the client identical messages.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from hotline.models import Message


@dataclass(frozen=True)
class ReportView:
    """The legal request an urgent message raised, or whose routing a notice announces."""

    request_id: str
    reference: str
    category: str
    status: str
    desk: str
    due_at: datetime | None


@dataclass(frozen=True)
class MessageView:
    """One committed message, as every reader sees it."""

    pk: int
    conversation_id: int
    seq: int
    kind: str
    body: str
    author_name: str
    author_is_staff: bool
    sent_at: datetime
    urgent: bool
    client_message_id: str | None
    report: ReportView | None

    def to_event(self) -> dict[str, Any]:
        """The broadcast payload (msgpack-friendly: datetimes as ISO strings)."""
        data = asdict(self)
        data["sent_at"] = self.sent_at.isoformat()
        if self.report is not None and self.report.due_at is not None:
            data["report"]["due_at"] = self.report.due_at.isoformat()
        return data

    @classmethod
    def from_event(cls, data: dict[str, Any]) -> MessageView:
        """The inverse of `to_event`."""
        report = data.get("report")
        return cls(
            pk=int(data["pk"]),
            conversation_id=int(data["conversation_id"]),
            seq=int(data["seq"]),
            kind=str(data["kind"]),
            body=str(data["body"]),
            author_name=str(data["author_name"]),
            author_is_staff=bool(data["author_is_staff"]),
            sent_at=datetime.fromisoformat(data["sent_at"]),
            urgent=bool(data["urgent"]),
            client_message_id=data.get("client_message_id"),
            report=ReportView(
                request_id=str(report["request_id"]),
                reference=str(report["reference"]),
                category=str(report["category"]),
                status=str(report["status"]),
                desk=str(report["desk"]),
                due_at=datetime.fromisoformat(report["due_at"]) if report["due_at"] else None,
            )
            if report
            else None,
        )

    @classmethod
    def from_row(cls, message: Message) -> MessageView:
        """From a Message (with `legal_request` selected when it has one)."""
        legal_request = message.legal_request if message.legal_request_id else None
        return cls(
            pk=message.pk,
            conversation_id=message.conversation_id,
            seq=message.seq,
            kind=message.kind,
            body=message.body,
            author_name=message.author_name,
            author_is_staff=message.author_is_staff,
            sent_at=message.sent_at,
            urgent=message.urgent,
            client_message_id=message.client_message_id,
            report=ReportView(
                request_id=str(legal_request.pk),
                reference=legal_request.reference,
                category=legal_request.category,
                status=legal_request.status,
                desk=legal_request.handling_desk,
                due_at=legal_request.due_at,
            )
            if legal_request is not None
            else None,
        )
