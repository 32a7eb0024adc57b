"""WebSocket edge of the staff queues: live ticket notifications for the teams a staff member is
in (group "staff.team.<id>"); the notification task broadcasts after commit."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from core.asgi import ClosedSocketGuard
from core.graphql.origin import BROWSER_ORIGIN_KEY
from core.signin import staff_signed_in
from switchboard.notifications import staff_group_name
from switchboard.selectors import staff_team_ids


class StaffTicketsConsumer(ClosedSocketGuard, AsyncJsonWebsocketConsumer):
    """Staff pages listen here; anyone who is not signed-in staff (with the second factor) is
    refused."""

    groups: list[str] = []

    async def connect(self) -> None:
        user = self.scope.get("user")
        # Session-only: accepted from a browser on one of our own origins, never cross-site.
        from_our_page = self.scope.get(BROWSER_ORIGIN_KEY, False)
        if not from_our_page or not await database_sync_to_async(staff_signed_in)(
            user, self.scope.get("session")
        ):
            await self.close(code=4403)
            return
        team_ids = await database_sync_to_async(staff_team_ids)(user=user)
        self.groups = [staff_group_name(team_id) for team_id in team_ids]
        for group in self.groups:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "hello", "teams": team_ids})

    async def disconnect(self, code: int) -> None:
        for group in self.groups:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def ticket_notification(self, event: dict[str, Any]) -> None:
        """Relay a notification broadcast to the page."""
        await self.send_json(
            {key: value for key, value in event.items() if key != "type"} | {"type": "ticket"}
        )
