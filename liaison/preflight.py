"""Pre-flight of identifiers: when a request is routed, ask the subscriber-records adapter only
whether each target exists — a yes or no per target, audited, no data returned — so that staff
see at once whether there is anything to disclose, preserve or remove."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from liaison.audit import AuditAction, audit_record
from liaison.models import LegalRequest, TargetPreflight
from liaison.subscriber_records import subscriber_records

logger = logging.getLogger(__name__)


def targets_preflight(
    *, legal_request: LegalRequest, now: datetime | None = None
) -> list[TargetPreflight]:
    """Record, once per target, whether the platform holds an account for it (in the caller's
    transaction: the routing's). The adapter failing never stops the routing: the answer is
    then missing ("not checked yet" on the case) and the failure is logged."""
    now = now or timezone.now()
    targets = list(legal_request.targets.order_by("position", "id"))
    done = set(
        TargetPreflight.objects.filter(legal_request=legal_request).values_list(
            "target_kind", "target_value"
        )
    )
    backend = subscriber_records()
    answers: list[TargetPreflight] = []
    try:
        with transaction.atomic():
            for target in targets:
                if (target.kind, target.value) in done:
                    continue
                answers.append(
                    TargetPreflight(
                        legal_request=legal_request,
                        target_kind=target.kind,
                        target_value=target.value,
                        exists=backend.exists(target_kind=target.kind, target_value=target.value),
                        checked_at=now,
                    )
                )
            TargetPreflight.objects.bulk_create(answers, ignore_conflicts=True)
            if answers:
                audit_record(
                    actor=None,
                    actor_label="pre-flight",
                    action=AuditAction.PREFLIGHT_CHECKED,
                    object_type="LegalRequest",
                    object_id=legal_request.pk,
                    organization_id=legal_request.organization_id,
                    details={
                        "targets": len(answers),
                        "found": sum(1 for answer in answers if answer.exists),
                        "kinds": sorted({answer.target_kind for answer in answers}),
                    },
                )
    except Exception:  # an adapter outage must not delay routing (an emergency least of all)
        logger.exception("pre-flight of request %s failed; routed without it", legal_request.pk)
        return []
    return answers
