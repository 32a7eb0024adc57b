"""Write operations of the hotline chat; input errors come back as OperationInfo."""

from __future__ import annotations

from typing import Annotated

import strawberry
import strawberry_django
from strawberry_django.fields.types import OperationInfo

from core.dbthreads import async_safe, resolve_off_thread
from core.errors import NotFound
from core.graphql.context import Info
from core.graphql.permissions import IsAuthenticated
from hotline import services
from hotline.schema.inputs import SendHotlineMessageInput
from hotline.schema.types import HotlineConversation, HotlineMessage
from liaison.submission import TargetSpec

SendHotlineMessageResult = Annotated[
    HotlineMessage | OperationInfo, strawberry.union("SendHotlineMessageResult")
]
OpenHotlineConversationResult = Annotated[
    HotlineConversation | OperationInfo, strawberry.union("OpenHotlineConversationResult")
]


@strawberry.type
class Mutation:
    """Sending hotline messages (and urgent reports), typing signals, request lines."""

    @strawberry_django.mutation(
        handle_django_errors=True,
        permission_classes=[IsAuthenticated],
        description=(
            "Send a message (idempotent per clientMessageId). urgent: true (or a report) also "
            "submits a MODERATION_NOTICE of your organization to the switchboard."
        ),
    )
    @async_safe
    def send_hotline_message(
        self, info: Info, input: SendHotlineMessageInput
    ) -> SendHotlineMessageResult:
        # Over WebSocket on the database threads (core.dbthreads), not the one sync thread.
        actor = info.context.require_actor()
        report = None
        if input.report is not None:
            report = services.ReportSpec(
                category=input.report.category.value,
                targets=tuple(
                    TargetSpec(kind=t.kind.value, value=t.value) for t in input.report.targets or []
                ),
                jurisdiction=input.report.jurisdiction,
            )

        def send() -> SendHotlineMessageResult:
            message = services.message_send(
                actor=actor,
                conversation_id=input.conversation_id,
                body=input.body,
                client_message_id=input.client_message_id,
                urgent=input.urgent,
                report=report,
            )
            return HotlineMessage.build(message)  # type: ignore[return-value]

        return resolve_off_thread(send)  # type: ignore[return-value]

    @strawberry_django.mutation(
        handle_django_errors=False,
        permission_classes=[IsAuthenticated],
        description="Say you are typing (at most one signal every 2 s counts; never stored).",
    )
    @async_safe
    def hotline_typing(self, info: Info, conversation_id: strawberry.ID) -> bool:
        # Over WebSocket on the database threads, like the send.
        actor = info.context.require_actor()

        def signal() -> bool:
            try:
                return services.typing_signal(actor=actor, conversation_id=conversation_id)
            except NotFound:
                return False

        return resolve_off_thread(signal)  # type: ignore[return-value]

    @strawberry_django.mutation(
        handle_django_errors=True,
        permission_classes=[IsAuthenticated],
        description="Staff: open (or find) the conversation about one legal request.",
    )
    def open_hotline_conversation(
        self, info: Info, legal_request_id: strawberry.ID
    ) -> OpenHotlineConversationResult:
        actor = info.context.require_actor()
        conversation = services.conversation_open_for_request(
            actor=actor, legal_request_id=legal_request_id
        )
        return HotlineConversation.build(conversation, [])  # type: ignore[return-value]
