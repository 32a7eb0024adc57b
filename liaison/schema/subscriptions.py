"""Live updates of the liaison app: the viewer organization's requests, as they change."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import strawberry
from channels.db import database_sync_to_async

from core.actors import Actor
from core.errors import NotFound
from core.graphql.context import Info
from liaison import selectors
from liaison.models import LegalRequest
from liaison.notifications import SUBSCRIPTION_MESSAGE_TYPE, organization_group
from liaison.schema.types import LegalRequestType


def _fetch(actor: Actor, legal_request_id: str) -> LegalRequest | None:
    # Through the tenant-scoped selector: a message can only ever name a request the viewer
    # may see, and even a stray one would be "not found" here. Relations are loaded now,
    # because the fields are resolved outside this thread.
    try:
        legal_request = selectors.access_legal_request(
            actor=actor, legal_request_id=legal_request_id
        )
    except NotFound:
        return None
    return (
        selectors.legal_request_list_for_export(actor=actor)
        .prefetch_related("documents")
        .filter(pk=legal_request.pk)
        .first()
    )


@strawberry.type
class Subscription:
    """The viewer organization's legal requests, pushed on every status change."""

    @strawberry.subscription(
        description="Each of your organization's requests again whenever its status changes."
    )
    async def legal_request_updates(self, info: Info) -> AsyncGenerator[LegalRequestType, None]:
        actor = info.context.require_actor()
        if actor.organization_id is None:
            raise PermissionError("Authenticate with an organization's API token.")
        ws: Any = info.context.ws
        async with ws.listen_to_channel(
            SUBSCRIPTION_MESSAGE_TYPE, groups=[organization_group(actor.organization_id)]
        ) as messages:
            async for message in messages:
                legal_request = await database_sync_to_async(_fetch)(
                    actor, str(message.get("legal_request_id", ""))
                )
                if legal_request is not None:
                    yield legal_request  # type: ignore[misc]
