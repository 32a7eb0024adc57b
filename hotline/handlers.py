"""Outbox handlers of the hotline: a report raised in the chat learns where it went.

The desk and the deadline come with liaison's status event (RECEIVED → ROUTED), so the hotline
never reads the switchboard's tickets.
"""

from __future__ import annotations

from datetime import datetime

from core.outbox.models import OutboxEvent
from core.outbox.services import subscribe
from hotline import services
from liaison.lifecycle import TOPIC_STATUS_CHANGED
from liaison.models import RequestOrigin, RequestStatus


def _routed_hotline_report(payload: dict) -> bool:
    return (
        payload.get("to") == RequestStatus.ROUTED and payload.get("origin") == RequestOrigin.HOTLINE
    )


@subscribe(TOPIC_STATUS_CHANGED, wants=_routed_hotline_report, queue_for=lambda payload: "urgent")
def post_routing_notice(event: OutboxEvent) -> None:
    """Post the desk and deadline of a routed hotline report in its conversation."""
    payload = event.payload
    services.switchboard_notice_post(
        legal_request_id=payload["legal_request_id"],
        desk=payload["handling_desk"],
        due_at=datetime.fromisoformat(payload["due_at"]),
        submitted_at=datetime.fromisoformat(payload["submitted_at"]),
    )
