"""The staff WebSocket: signed-in staff (with their second factor) receive their teams' ticket
notifications live; anyone else is refused."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.testing.websocket import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore

from core.graphql.origin import BROWSER_ORIGIN_KEY
from switchboard import notifications
from switchboard.models import Team, TeamMember
from switchboard.routing import websocket_urlpatterns
from tests.factories import UserFactory
from tests.signin import mark_second_factor

application = URLRouter(websocket_urlpatterns)


def session_of(user: Any, *, second_factor: bool) -> SessionStore:
    session = SessionStore()
    if second_factor and user.is_authenticated:
        mark_second_factor(session, user)
    return session


async def connect(
    user: Any, *, from_our_page: bool = True, second_factor: bool = True
) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, "/ws/staff/tickets/")
    communicator.scope["user"] = user
    communicator.scope["session"] = await sync_to_async(session_of)(
        user, second_factor=second_factor
    )
    communicator.scope[BROWSER_ORIGIN_KEY] = from_our_page
    return communicator


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_staff_get_their_teams_notifications_live(policy: None) -> None:
    team = await sync_to_async(Team.objects.get)(name="Child Safety Desk")
    other = await sync_to_async(Team.objects.get)(name="Counter-Terrorism Desk")
    staff = await sync_to_async(UserFactory)(username="desk@platform.example", is_staff=True)
    await sync_to_async(TeamMember.objects.create)(team=team, user=staff)
    communicator = await connect(staff)
    connected, _ = await communicator.connect()
    assert connected
    assert await communicator.receive_json_from() == {"type": "hello", "teams": [team.pk]}
    layer = get_channel_layer()
    message = {"type": "ticket.notification", "ticket_id": 1, "subject": "New", "kind": "ROUTED"}
    await layer.group_send(notifications.staff_group_name(other.pk), message)
    await layer.group_send(notifications.staff_group_name(team.pk), message)
    received = await communicator.receive_json_from()
    assert received["ticket_id"] == 1
    assert received["type"] == "ticket"
    assert await communicator.receive_nothing()  # the other team's message never came
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_non_staff_are_refused() -> None:
    for user in (
        AnonymousUser(),
        await sync_to_async(UserFactory)(username="officer@police.example"),
    ):
        communicator = await connect(user)
        connected, code = await communicator.connect()
        assert not connected
        assert code == 4403


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_staff_session_is_refused_without_one_of_our_origins() -> None:
    staff = await sync_to_async(UserFactory)(username="desk2@platform.example", is_staff=True)
    communicator = await connect(staff, from_our_page=False)
    connected, _ = await communicator.connect()
    assert not connected


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_staff_session_without_the_second_factor_is_refused() -> None:
    staff = await sync_to_async(UserFactory)(username="desk3@platform.example", is_staff=True)
    communicator = await connect(staff, second_factor=False)
    connected, code = await communicator.connect()
    assert not connected
    assert code == 4403
