"""Fixtures of the switchboard tests: submissions (the shared ones come from tests.fixtures)."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet

from core.outbox.models import OutboxEvent
from liaison import submission
from liaison.models import LegalRequest
from liaison.submission import TOPIC_SUBMITTED
from tests.conftest import Member
from tests.fixtures import (  # noqa: F401 - fixtures of this directory
    Clock,
    _celery_in_process,
    _in_memory_channel_layer,
    clock,
    policy,
)

TARGETS = {
    "CONTENT_REMOVAL": ("MESSAGE_LINK", "https://t.me/bad_channel/42"),
    "MODERATION_NOTICE": ("MESSAGE_LINK", "https://t.me/bad_channel/43"),
}
DISCLOSES = {"DATA_DISCLOSURE", "EMERGENCY_DISCLOSURE"}


SubmitFn = Callable[..., LegalRequest]


def submit_request(
    member: Member,
    *,
    kind: str = "DATA_DISCLOSURE",
    category: str = "FRAUD",
    jurisdiction: str = "DE",
    reference: str = "AZ-1",
) -> LegalRequest:
    """Submit a valid request of this kind through the liaison service."""
    target_kind, target_value = TARGETS.get(kind, ("USERNAME", "fraud_boss"))
    spec = submission.LegalRequestSpec(
        kind=kind,
        category=category,
        reference=reference,
        legal_basis="Court order",
        jurisdiction=jurisdiction,
        summary="Summary of the facts.",
        targets=[submission.TargetSpec(kind=target_kind, value=target_value)],
        data_categories=["IP_ADDRESSES"] if kind in DISCLOSES else None,
    )
    return submission.legal_request_submit(actor=member.actor, spec=spec)


def submitted_events() -> QuerySet[OutboxEvent]:
    """The `legal_request.submitted` events (other apps may emit other topics too)."""
    return OutboxEvent.objects.filter(topic=TOPIC_SUBMITTED)
