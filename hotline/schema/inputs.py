"""GraphQL input types of the hotline chat."""

from __future__ import annotations

import strawberry

from core.graphql.text import MULTILINE
from liaison.schema.enums import RequestCategory
from liaison.schema.inputs import TargetInput


@strawberry.input(name="HotlineReportInput")
class HotlineReportInput:
    """The report form of an urgent message: what it is about and what to act on."""

    category: RequestCategory = strawberry.field(
        description="CHILD_SAFETY and TERRORISM reports have a 1-hour clock."
    )
    targets: list[TargetInput] | None = strawberry.field(
        default=None,
        description="Message links, channels or usernames; taken from the message when empty.",
    )
    jurisdiction: str | None = strawberry.field(
        default=None, description="ISO 3166-1 alpha-2; your organization's country when empty."
    )


@strawberry.input(name="SendHotlineMessageInput")
class SendHotlineMessageInput:
    """A message for a hotline conversation."""

    conversation_id: strawberry.ID
    body: str = strawberry.field(description="At most 8 KB of UTF-8.", metadata=MULTILINE)
    client_message_id: str = strawberry.field(
        description="Your own id for this message (1-64 characters): resending it is safe."
    )
    urgent: bool = strawberry.field(
        default=False,
        description="Raise a MODERATION_NOTICE for the platform's on-call team from this message.",
    )
    report: HotlineReportInput | None = None


__all__ = ["HotlineReportInput", "SendHotlineMessageInput"]
