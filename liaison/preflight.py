"""Pre-flight of identifiers: right after a request is routed, ask the subscriber-records
adapter only whether each target exists — a yes or no per target, audited, no data returned —
so that staff see at once whether there is anything to disclose, preserve or remove."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from liaison.audit import AuditAction, audit_record
from liaison.models import LegalRequest, Target, TargetPreflight
from liaison.subscriber_records import subscriber_records

logger = logging.getLogger(__name__)


def targets_preflight(
    *, legal_request: LegalRequest, now: datetime | None = None
) -> list[TargetPreflight]:
    """The pre-flight of one request (`targets_preflight_many` of one)."""
    return targets_preflight_many(legal_requests=[legal_request], now=now)


def targets_preflight_many(
    *, legal_requests: Sequence[LegalRequest], now: datetime | None = None
) -> list[TargetPreflight]:
    """Record, once per target of each request, whether the platform holds an account for it,
    in the caller's transaction (the switchboard's, right after it routed them): one read of
    the targets and one of the answers already recorded for the whole batch, then one INSERT
    and one audit entry per request that got answers. The adapter failing never stops
    anything: a request whose adapter call raised keeps no answer ("not checked yet" on the
    case), and the failure is logged."""
    if not legal_requests:
        return []
    now = now or timezone.now()
    by_id: dict[Any, LegalRequest] = {r.pk: r for r in legal_requests}
    backend = subscriber_records()
    answers: list[TargetPreflight] = []
    try:
        with transaction.atomic():
            done = set(
                TargetPreflight.objects.filter(legal_request_id__in=by_id).values_list(
                    "legal_request_id", "target_kind", "target_value"
                )
            )
            targets: dict[Any, list[Target]] = {}
            for target in Target.objects.filter(legal_request_id__in=by_id).order_by(
                "position", "id"
            ):
                if (target.legal_request_id, target.kind, target.value) not in done:
                    targets.setdefault(target.legal_request_id, []).append(target)
            per_request: dict[Any, list[TargetPreflight]] = {}
            for request_id, pending in targets.items():
                try:
                    per_request[request_id] = [
                        TargetPreflight(
                            legal_request=by_id[request_id],
                            target_kind=target.kind,
                            target_value=target.value,
                            exists=backend.exists(
                                target_kind=target.kind, target_value=target.value
                            ),
                            checked_at=now,
                        )
                        for target in pending
                    ]
                except Exception:  # an adapter outage: this request's answers stay missing
                    logger.exception("pre-flight of request %s failed", request_id)
            for mine in per_request.values():
                answers += mine
            TargetPreflight.objects.bulk_create(answers, ignore_conflicts=True)
            for request_id, mine in per_request.items():
                if mine:
                    audit_record(
                        actor=None,
                        actor_label="pre-flight",
                        action=AuditAction.PREFLIGHT_CHECKED,
                        object_type="LegalRequest",
                        object_id=request_id,
                        organization_id=by_id[request_id].organization_id,
                        details={
                            "targets": len(mine),
                            "found": sum(1 for answer in mine if answer.exists),
                            "kinds": sorted({answer.target_kind for answer in mine}),
                        },
                    )
    except Exception:  # the store failed inside the database: the batch keeps no answer
        logger.exception("pre-flight of %d request(s) failed", len(by_id))
        return []
    return answers
