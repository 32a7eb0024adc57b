"""Fixtures of the case tool tests: the shared switchboard fixtures, the review fixtures (signing
key, private media, demo accounts) and helpers that route a submitted request to its ticket."""

from __future__ import annotations

from core.outbox import services as outbox
from liaison.models import LegalRequest
from switchboard.models import Ticket
from tests.fixtures import (  # noqa: F401 - fixtures of this directory
    _celery_in_process,
    _in_memory_channel_layer,
    clock,
    policy,
)
from tests.liaison.conftest import (  # noqa: F401 - fixtures of this directory
    _test_signing_key,
    accounts,
    media_root,
)
from tests.switchboard.conftest import submitted_events


def routed_ticket(legal_request: LegalRequest) -> Ticket:
    """Deliver the request's routing event (as the worker would) and return its ticket."""
    for event in submitted_events().filter(payload__legal_request_id=str(legal_request.pk)):
        outbox.outbox_deliver(event_id=event.pk)
    return Ticket.objects.select_related("legal_request").get(legal_request=legal_request)
