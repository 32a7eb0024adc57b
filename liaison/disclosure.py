"""Disclosure packages: build, sign, store and read the data produced for a request.

For each target, only the categories the request asked for: the phone number and/or the IP
addresses seen in the requested period — nothing else. `records` is a JSON list; its signature
is Ed25519 over the canonical JSON of that list: `json.dumps(records, sort_keys=True,
separators=(",", ":"), ensure_ascii=False)` encoded as UTF-8.
"""

from __future__ import annotations

import csv
import io
import logging
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.actors import Actor
from core.errors import NotFound
from liaison import deconfliction, permissions, selectors, signing
from liaison.audit import AuditAction, audit_record, canonical_json
from liaison.intake_signals import hold_refusal
from liaison.lifecycle import legal_request_transition, lock_request, require_staff
from liaison.models import (
    DataCategory,
    DisclosurePackage,
    LegalRequest,
    NoDataDecision,
    RequestStatus,
    TimelineEntry,
)
from liaison.preservation import preservation_record
from liaison.review_policy import DISCLOSURE_KINDS, release_refusal
from liaison.subscriber_records import subscriber_records

logger = logging.getLogger(__name__)
CSV_COLUMNS = ("target_kind", "target", "phone_number", "ip_address", "seen_at")


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def disclosure_records_build(*, legal_request: LegalRequest) -> list[dict[str, Any]]:
    """Ask the subscriber-records backend about each target, keeping only what was requested."""
    if legal_request.period_start is None or legal_request.period_end is None:
        raise ValidationError("The request has no data period.", code="period_missing")
    categories = set(legal_request.data_categories)
    backend = subscriber_records()
    records: list[dict[str, Any]] = []
    for target in legal_request.targets.order_by("position", "id"):
        found = backend.lookup(
            target_kind=target.kind,
            target_value=target.value,
            period_start=legal_request.period_start,
            period_end=legal_request.period_end,
        )
        record: dict[str, Any] = {"target_kind": target.kind, "target": target.value}
        if DataCategory.PHONE_NUMBER in categories:
            record["phone_number"] = found.phone_number if found else None
        if DataCategory.IP_ADDRESSES in categories:
            record["ip_addresses"] = [
                {"address": event.address, "seen_at": _timestamp(event.seen_at)}
                for event in (found.ip_events if found else [])
                if legal_request.period_start <= event.seen_at <= legal_request.period_end
            ]
        records.append(record)
    return records


NO_DATA_NOTICE = (
    "No data held: the platform holds no records of the named targets for the requested "
    "period, so no disclosure package was produced."
)


def legal_request_fulfil(
    *, actor: Actor, legal_request: LegalRequest, note: str = "", no_data_held: bool = False
) -> LegalRequest:
    """Fulfil an approved request. A disclosure request gets its signed package first, and only
    if two different staff members approved it and, for an emergency, the callback was made;
    a removal or preservation is recorded with its time. A disclosure whose targets have no
    data at all takes `no_data_held` (staff's explicit decision, recorded, told to the
    authority) instead of an empty signed package."""
    require_staff(actor)
    permissions.require(actor, permissions.can_fulfil_legal_request)
    with transaction.atomic():
        locked = lock_request(legal_request)
        if locked.status != RequestStatus.APPROVED:
            raise ValidationError(
                f"Only an approved request can be fulfilled (it is {locked.status}).",
                code="invalid_transition",
            )
        held = hold_refusal(locked)
        if held is not None:
            raise ValidationError(held, code="held_for_verification")
        if locked.kind in DISCLOSURE_KINDS:
            refusal = release_refusal(locked)
            if refusal is not None:
                raise ValidationError(refusal, code="release_refused")
            records = disclosure_records_build(legal_request=locked)
            if not records_hold_data(records):
                reason = _no_data_decide(actor, locked, decided=no_data_held, note=note)
            elif no_data_held:
                raise ValidationError(
                    {
                        "no_data_held": ValidationError(
                            "The platform holds data for these targets: produce the package.",
                            code="data_held",
                        )
                    }
                )
            else:
                reason = _package_produce(actor, locked, records)
        else:
            if deconfliction.is_tco_removal_order(locked):
                # Executed once however many orders name the content (deconfliction.py).
                reason = deconfliction.tco_removal_execute(legal_request=locked)
            else:
                reason = f"Done at {timezone.now():%Y-%m-%d %H:%M} UTC."
            # A preservation (or a TCO removal, Art. 6) keeps the data for the law's period.
            preservation = preservation_record(actor=actor, legal_request=locked)
            if preservation is not None:
                reason += f" Preserved until {preservation.preserved_until:%Y-%m-%d %H:%M} UTC."
        if note.strip():
            TimelineEntry.objects.create(
                legal_request=locked,
                event=TimelineEntry.Event.NOTE,
                status=locked.status,
                actor_label=actor.label,
                message=note.strip(),
                public=False,
            )
        return legal_request_transition(
            actor=actor, legal_request=locked, to_status=RequestStatus.FULFILLED, reason=reason
        )


def records_hold_data(records: list[dict[str, Any]]) -> bool:
    """Does any record carry a phone number or an IP address?"""
    return any(record.get("phone_number") or record.get("ip_addresses") for record in records)


def _no_data_decide(actor: Actor, locked: LegalRequest, *, decided: bool, note: str) -> str:
    """Fulfil without a package: only on staff's explicit decision, which is recorded and
    audited; the authority is told that no data is held (NO_DATA_NOTICE)."""
    if not decided:
        raise ValidationError(
            {
                "no_data_held": ValidationError(
                    "The platform holds no data for these targets in the requested period: "
                    "decide explicitly that no data is held (the authority is told so) instead "
                    "of producing an empty package.",
                    code="no_data_held",
                )
            }
        )
    NoDataDecision.objects.create(legal_request=locked, decided_by=actor.user, note=note.strip())
    audit_record(
        actor=actor,
        action=AuditAction.NO_DATA_HELD,
        object_type="LegalRequest",
        object_id=locked.pk,
        organization_id=locked.organization_id,
        details={"targets": locked.targets.count(), "categories": sorted(locked.data_categories)},
    )
    return NO_DATA_NOTICE


def _package_produce(actor: Actor, locked: LegalRequest, records: list[dict[str, Any]]) -> str:
    """Sign and store the package; the reason the authority reads on its timeline."""
    key = signing.public_key_info()
    package = DisclosurePackage.objects.create(
        legal_request=locked,
        records=records,
        signature=signing.sign(canonical_json(records)),
        key_id=key.key_id,
        created_by=actor.user,
        expires_at=timezone.now() + settings.DISCLOSURE_PACKAGE_LIFETIME,
    )
    audit_record(
        actor=actor,
        action=AuditAction.PACKAGE_CREATED,
        object_type="DisclosurePackage",
        object_id=package.pk,
        organization_id=locked.organization_id,
        details={
            "legal_request_id": str(locked.pk),
            "targets": len(records),
            "categories": sorted(locked.data_categories),
            "key_id": key.key_id,
        },
    )
    return (
        f"Disclosure package produced; available through the API until "
        f"{package.expires_at:%Y-%m-%d %H:%M} UTC."
    )


def disclosure_package_read(
    *, actor: Actor | None, legal_request_id: object
) -> DisclosurePackage | None:
    """The package of a request, for its own organization only, while unexpired and while its
    signature verifies; None ("not found") otherwise. Every read, and every refusal of an
    existing package, is recorded in the audit log."""
    try:
        package = selectors.access_disclosure_package(
            actor=actor, legal_request_id=legal_request_id
        )
    except NotFound:
        return None
    legal_request = package.legal_request
    refusal = None
    if legal_request.status != RequestStatus.FULFILLED:
        refusal = f"request is {legal_request.status}"
    else:
        refusal = release_refusal(legal_request)
    if refusal is None and not signing.verify(canonical_json(package.records), package.signature):
        logger.error("disclosure: package %s fails its signature check", package.pk)
        refusal = "signature does not verify (tampered)"
    audit_record(
        actor=actor,
        action=AuditAction.PACKAGE_REFUSED if refusal else AuditAction.PACKAGE_READ,
        object_type="DisclosurePackage",
        object_id=package.pk,
        organization_id=legal_request.organization_id,
        details={
            "legal_request_id": str(legal_request.pk),
            **({"refusal": refusal} if refusal else {}),
        },
    )
    return None if refusal else package


def disclosure_package_json(package: DisclosurePackage) -> str:
    """The records exactly as signed (canonical JSON, UTF-8)."""
    return canonical_json(package.records).decode()


def disclosure_package_csv(package: DisclosurePackage) -> str:
    """The records as CSV: one row per IP address (one row for a target without any)."""
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for record in package.records:
        phone = record.get("phone_number") or ""
        addresses = record.get("ip_addresses") or [{"address": "", "seen_at": ""}]
        for address in addresses:
            writer.writerow(
                [
                    record["target_kind"],
                    record["target"],
                    phone,
                    address["address"],
                    address["seen_at"],
                ]
            )
    return output.getvalue()
