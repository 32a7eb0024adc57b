"""Statements of reasons to the Commission's DSA Transparency Database (DSA Art. 24(5)).

Each executed content removal (TCO and DSA Art. 9 orders, actioned NGO notices) gets one
`StatementOfReasons` in the database's API schema, recorded when the request is FULFILLED
(outbox handler of `legal_request.status_changed`), with a kick on the topic
`transparency.dsa_tdb_send`. Sending takes up to 100 pending statements (rows locked, SKIP
LOCKED: two workers never send the same one) and POSTs them as one batch to `DSA_TDB_URL` with
`DSA_TDB_TOKEN`; off while the URL is unset (statements wait, PENDING).

The database validates a batch all-or-nothing:
- 2xx: every statement of the batch is stored: DELIVERED;
- 422 with per-statement errors: a `puid` it already holds ("not unique") is DELIVERED (it
  has it); a statement with another error is REFUSED (staff see why in admin); the others
  were not stored and go in the next batch at once;
- 429 (rate limit), 5xx, no answer: nothing changes but the attempt count; the event is
  retried with the topic's backoff (DeliveryFailed).
A batch whose answer was lost is simply sent again: the database then reports the puids it
already holds, so nothing is stored twice and nothing is lost.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.outbox.models import OutboxEvent
from core.outbox.services import DeliveryFailed, outbox_emit
from liaison.models import LegalRequest, OrganizationKind, RequestKind, RequestStatus, TargetKind
from transparency.exports import EU_MEMBER_STATES, STATEMENT_CATEGORY
from transparency.models import StatementOfReasons
from transparency.topics import DSA_TDB_SEND

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
# One delivery sends batches for at most this many rounds (the next kick does the rest).
ROUNDS_PER_DELIVERY = 20
TIMEOUT_SECONDS = 30
REMOVAL_KINDS = (RequestKind.CONTENT_REMOVAL, RequestKind.MODERATION_NOTICE)
NOT_UNIQUE = re.compile(r"not unique", re.IGNORECASE)
ERROR_KEY = re.compile(r"^statements\.(\d+)\.(.+)$")


def _day(value: datetime) -> str:
    return value.astimezone(UTC).date().isoformat()


def statement_build(legal_request: LegalRequest) -> dict[str, Any]:
    """The statement of reasons of an executed removal, in the database's API schema.

    Nothing in it names the requester, the target or the authority's reference: the legal
    ground is the instrument, the facts are the kind of order and its dates.
    """
    from_ngo = legal_request.organization.kind == OrganizationKind.NGO
    executed = legal_request.fulfilled_at or timezone.now()
    tco = (
        legal_request.kind == RequestKind.CONTENT_REMOVAL and legal_request.category == "TERRORISM"
    )
    if from_ngo:
        ground = (
            "Notice of illegal content by a trusted flagger (Regulation (EU) 2022/2065, Art. 22)"
        )
        source = "notice of a trusted flagger"
    elif tco:
        ground = "Removal order under Regulation (EU) 2021/784 (TCO), Art. 3"
        source = "removal order of a competent authority"
    else:
        ground = "Order to act against illegal content (Regulation (EU) 2022/2065, Art. 9)"
        source = "order of a national judicial or administrative authority"
    message_links = legal_request.targets.filter(kind=TargetKind.MESSAGE_LINK).exists()
    # An order of a Member State's authority acts in that State; a trusted flagger's notice
    # is acted on across the Union.
    scope = [legal_request.jurisdiction] if not from_ngo else list(EU_MEMBER_STATES)
    statement: dict[str, Any] = {
        "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
        "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
        "illegal_content_legal_ground": ground,
        "illegal_content_explanation": (
            f"The content was found illegal ({legal_request.get_category_display().lower()}) "
            f"on a {source} and removed."
        ),
        "category": STATEMENT_CATEGORY[legal_request.category],  # type: ignore[index]
        "content_type": ["CONTENT_TYPE_TEXT"] if message_links else ["CONTENT_TYPE_OTHER"],
        "content_date": _day(legal_request.submitted_at),
        "application_date": _day(executed),
        "territorial_scope": sorted(scope),
        "decision_facts": (
            f"{source.capitalize()} received on {_day(legal_request.submitted_at)}, "
            f"executed on {_day(executed)}."
        ),
        "source_type": "SOURCE_TRUSTED_FLAGGER" if from_ngo else "SOURCE_TYPE_OTHER_NOTIFICATION",
        "automated_detection": "No",
        "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED",
        "puid": f"liaison-{legal_request.pk}",
    }
    if not message_links:
        statement["content_type_other"] = "Account, channel or message on the messaging service"
    return statement


def statement_of_reasons_record(*, legal_request_id: str) -> StatementOfReasons | None:
    """Record the statement of an executed removal once (idempotent) and kick the sender."""
    legal_request = (
        LegalRequest.objects.select_related("organization").filter(pk=legal_request_id).first()
    )
    if (
        legal_request is None
        or legal_request.status != RequestStatus.FULFILLED
        or legal_request.kind not in REMOVAL_KINDS
    ):
        return None
    if (
        legal_request.kind == RequestKind.CONTENT_REMOVAL
        and legal_request.jurisdiction not in EU_MEMBER_STATES
    ):
        return None  # not a TCO or DSA Art. 9 order: outside the DSA's database
    with transaction.atomic():
        statement = statement_build(legal_request)
        record, created = StatementOfReasons.objects.get_or_create(
            legal_request=legal_request,
            defaults={
                "puid": statement["puid"],
                "statement": statement,
                "created_at": timezone.now(),
            },
        )
        if created:
            outbox_emit(topic=DSA_TDB_SEND, payload={"statement_id": record.pk})
    return record


def statements_pending_kick() -> bool:
    """Hourly (beat): if statements still wait and no send is on its way (the last one ran out
    of attempts, say, while the database was down for hours), emit a new send. True if it did."""
    if not settings.DSA_TDB_URL:
        return False
    if not StatementOfReasons.objects.filter(state=StatementOfReasons.State.PENDING).exists():
        return False
    on_its_way = OutboxEvent.objects.filter(
        topic=DSA_TDB_SEND.name, delivered_at__isnull=True, dead_lettered_at__isnull=True
    ).exists()
    if on_its_way:
        return False
    with transaction.atomic():
        outbox_emit(topic=DSA_TDB_SEND, payload={"resend": True})
    return True


@dataclass
class SendResult:
    """What one delivery did: batches posted, statements delivered and refused."""

    batches: int = 0
    delivered: int = 0
    refused: int = 0


def statements_send(*, now: datetime | None = None) -> SendResult:
    """Send the pending statements in batches of at most 100 (outbox handler of
    `transparency.dsa_tdb_send`, inside the delivery's transaction). Raises DeliveryFailed on a
    429, a 5xx or no answer, after recording the attempt."""
    result = SendResult()
    if not settings.DSA_TDB_URL:
        return result  # off: the statements wait, PENDING, until it is configured
    for _ in range(ROUNDS_PER_DELIVERY):
        batch = list(
            StatementOfReasons.objects.select_for_update(skip_locked=True)
            .filter(state=StatementOfReasons.State.PENDING)
            .order_by("id")[:BATCH_SIZE]
        )
        if not batch:
            return result
        result.batches += 1
        if not _send_batch(batch, now=now or timezone.now(), result=result):
            return result  # (unreachable: a failed batch raises)
    return result


def _post(statements: list[dict[str, Any]]) -> tuple[int, dict[str, Any]]:
    body = json.dumps({"statements": statements}).encode()
    request = urllib.request.Request(  # noqa: S310 - the operator's configured https URL
        settings.DSA_TDB_URL,
        data=body,
        method="POST",
        headers={
            "Authorization": f"Bearer {settings.DSA_TDB_TOKEN}",
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": "LiaisonPortal-DSA-TDB/1",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, _json(response.read())
    except urllib.error.HTTPError as error:
        return error.code, _json(error.read())


def _json(raw: bytes) -> dict[str, Any]:
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def _send_batch(batch: list[StatementOfReasons], *, now: datetime, result: SendResult) -> bool:
    try:
        status, answer = _post([s.statement for s in batch])
    except OSError as error:
        status, answer = 0, {"message": f"no answer: {error!r}"}
    for statement in batch:
        statement.attempts += 1
    if 200 <= status < 300:
        for statement in batch:
            statement.state, statement.delivered_at, statement.error = (
                StatementOfReasons.State.DELIVERED,
                now,
                "",
            )
        result.delivered += len(batch)
        _save(batch)
        return True
    if status == 422:
        _apply_errors(batch, answer, now=now, result=result)
        _save(batch)
        return True
    message = str(answer.get("message") or "")[:500]
    for statement in batch:
        statement.error = f"HTTP {status or 'no answer'}: {message}".strip()
    _save(batch)
    logger.warning("dsa-tdb: batch of %d not sent (HTTP %s)", len(batch), status or "-")
    raise DeliveryFailed(f"DSA Transparency Database answered {status or 'nothing'}")


def _apply_errors(
    batch: list[StatementOfReasons], answer: dict[str, Any], *, now: datetime, result: SendResult
) -> None:
    """A refused batch: nothing of it was stored. Duplicates are delivered, statements with
    another error refused; the rest stay PENDING for the next batch."""
    errors: dict[int, list[str]] = {}
    for key, messages in (answer.get("errors") or {}).items():
        match = ERROR_KEY.match(str(key))
        if match is None:
            continue
        index = int(match.group(1))
        texts = messages if isinstance(messages, list) else [messages]
        errors.setdefault(index, []).extend(f"{match.group(2)}: {t}" for t in texts)
    existing = set(answer.get("existing_puids") or [])
    if not errors and not existing:
        # A 422 that names no statement: nothing to learn; refuse none, retry later.
        for statement in batch:
            statement.error = f"HTTP 422: {str(answer.get('message') or '')[:500]}"
        _save(batch)
        raise DeliveryFailed("DSA Transparency Database refused the batch without details")
    for index, statement in enumerate(batch):
        messages = errors.get(index, [])
        if statement.puid in existing or (
            messages and all(m.startswith("puid:") and NOT_UNIQUE.search(m) for m in messages)
        ):
            statement.state, statement.delivered_at = StatementOfReasons.State.DELIVERED, now
            statement.error = "already held by the database (duplicate puid)"
            result.delivered += 1
        elif messages:
            statement.state = StatementOfReasons.State.REFUSED
            statement.error = "; ".join(messages)[:2000]
            result.refused += 1


def _save(batch: list[StatementOfReasons]) -> None:
    StatementOfReasons.objects.bulk_update(
        batch, ["state", "delivered_at", "attempts", "error"], batch_size=BATCH_SIZE
    )
