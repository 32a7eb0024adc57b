"""Helpers of the chat tests: a graphql-transport-ws client over WebsocketCommunicator against
the real ASGI application, and the REAL channels-redis layers (never the in-memory one)."""

from __future__ import annotations

import itertools
from typing import Any

from channels.testing.websocket import WebsocketCommunicator

from portal.asgi import application

PROTOCOL = "graphql-transport-ws"
MESSAGE_FIELDS = (
    "id seq conversationId kind body urgent clientMessageId sentAt author { displayName isStaff } "
    "report { requestId reference category status desk dueAt }"
)
SEND = (
    "mutation($input: SendHotlineMessageInput!) { sendHotlineMessage(input: $input) { "
    f"... on HotlineMessage {{ {MESSAGE_FIELDS} }} "
    "... on OperationInfo { messages { kind field message code } } } }"
)
SUBSCRIBE = (
    "subscription($id: ID!, $after: Int) { hotlineMessages(conversationId: $id, afterSeq: $after)"
    f" {{ {MESSAGE_FIELDS} }} }}"
)
HISTORY = (
    "query($id: ID!, $after: Int, $first: Int) { hotlineMessages(conversationId: $id, "
    f"afterSeq: $after, first: $first) {{ {MESSAGE_FIELDS} }} }}"
)
CONVERSATIONS = (
    "{ hotlineConversations { id title organizationName isMainLine lastSeq "
    "reports { reference desk dueAt category } } }"
)

_ids = itertools.count(1)


class ChatClient:
    """One graphql-transport-ws connection, authenticated by token or by session headers."""

    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.communicator = communicator
        self.pending: dict[str, list[dict[str, Any]]] = {}

    @classmethod
    async def connect(
        cls, token: str | None = None, headers: list[tuple[bytes, bytes]] | None = None
    ) -> ChatClient:
        communicator = WebsocketCommunicator(
            application, "/graphql/", subprotocols=[PROTOCOL], headers=headers or []
        )
        connected, _ = await communicator.connect(timeout=10)
        assert connected
        payload = {"authorization": f"Bearer {token}"} if token else {}
        await communicator.send_json_to({"type": "connection_init", "payload": payload})
        ack = await communicator.receive_json_from(timeout=10)
        assert ack["type"] == "connection_ack", ack
        return cls(communicator)

    async def start(self, query: str, variables: dict[str, Any] | None = None) -> str:
        op_id = str(next(_ids))
        self.pending[op_id] = []
        await self.communicator.send_json_to(
            {
                "id": op_id,
                "type": "subscribe",
                "payload": {"query": query, "variables": variables or {}},
            }
        )
        return op_id

    async def receive(self, op_id: str, timeout: float = 10) -> dict[str, Any]:
        """The next message of operation `op_id` (others are kept for their own readers)."""
        while not self.pending[op_id]:
            message = await self.communicator.receive_json_from(timeout=timeout)
            self.pending.setdefault(message.get("id", ""), []).append(message)
        return self.pending[op_id].pop(0)

    async def execute(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        op_id = await self.start(query, variables)
        message = await self.receive(op_id)
        assert message["type"] == "next", message
        assert (await self.receive(op_id))["type"] == "complete"
        return message["payload"]

    async def send(self, conversation_id: str, body: str, client_id: str, **extra: Any) -> dict:
        payload = await self.execute(
            SEND,
            {
                "input": {
                    "conversationId": conversation_id,
                    "body": body,
                    "clientMessageId": client_id,
                    **extra,
                }
            },
        )
        assert "errors" not in payload, payload
        return payload["data"]["sendHotlineMessage"]

    async def subscribe(self, conversation_id: str, after_seq: int | None = None) -> str:
        return await self.start(SUBSCRIBE, {"id": conversation_id, "after": after_seq})

    async def next_message(self, op_id: str, timeout: float = 10) -> dict[str, Any]:
        message = await self.receive(op_id, timeout)
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        return message["payload"]["data"]["hotlineMessages"]

    async def assert_nothing(self, op_id: str, timeout: float = 0.5) -> None:
        """Nothing more arrives for `op_id` within `timeout` (the connection stays usable)."""
        assert not self.pending[op_id], self.pending[op_id]
        while not await self.communicator.receive_nothing(timeout=timeout):
            message = await self.communicator.receive_json_from(timeout=timeout)
            self.pending.setdefault(message.get("id", ""), []).append(message)
        assert not self.pending[op_id], self.pending[op_id]

    async def stop(self, op_id: str) -> None:
        await self.communicator.send_json_to({"id": op_id, "type": "complete"})

    async def close(self) -> None:
        await self.communicator.disconnect()
