"""Outbox handlers of the transparency app: statements of reasons for executed removals."""

from __future__ import annotations

from core.outbox import services as outbox
from core.outbox.models import OutboxEvent
from liaison.lifecycle import TOPIC_STATUS_CHANGED
from liaison.models import RequestStatus
from transparency import statements
from transparency.topics import DSA_TDB_SEND


def _executed_removal(payload: dict) -> bool:
    return payload.get("to") == RequestStatus.FULFILLED and payload.get("kind") in {
        kind.value for kind in statements.REMOVAL_KINDS
    }


@outbox.subscribe(TOPIC_STATUS_CHANGED, wants=_executed_removal)
def record_statement_of_reasons(event: OutboxEvent) -> None:
    """An executed removal gets its statement of reasons (once)."""
    statements.statement_of_reasons_record(legal_request_id=event.payload["legal_request_id"])


@outbox.subscribe(DSA_TDB_SEND)
def send_statements_of_reasons(event: OutboxEvent) -> None:
    """Send the pending statements to the DSA Transparency Database, in batches."""
    statements.statements_send()
