"""GraphQL object types of the liaison app. Every model type scopes its rows to the viewer: it
inherits `TenantScoped`, whose `get_queryset` applies the model's `visible_to(actor)`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
import strawberry_django
from django.db.models import QuerySet
from django.urls import reverse
from strawberry import relay

from core.graphql.context import Info
from core.graphql.types import TenantScoped, TenantScopedNode
from liaison import models
from liaison.schema.enums import (
    CannotComplyGround,
    CannotComplyResolution,
    DataCategory,
    LegalInstrument,
    OrganizationKind,
    RejectionReason,
    RequestCategory,
    RequestKind,
    RequestStatus,
    TargetKind,
    TimelineEvent,
    VerificationState,
)


@strawberry_django.type(models.Organization, name="Organization")
class OrganizationType(TenantScopedNode, relay.Node):
    """An authority or NGO. Only the viewer's own organization is visible."""

    slug: str
    name: str
    kind: OrganizationKind
    country: str
    verification: VerificationState

    @strawberry_django.field(only=["verification"])
    def verified(self, root: models.Organization) -> bool:
        return root.is_verified


@strawberry_django.type(models.Target, name="Target")
class TargetType(TenantScoped):
    """An account, channel or message a request is about (canonical form)."""

    kind: TargetKind
    value: str


@strawberry_django.type(models.TimelineEntry, name="TimelineEntry")
class TimelineEntryType(TenantScoped):
    """One step in a request's life, as shown to the requesting organization."""

    event: TimelineEvent
    status: RequestStatus
    message: str
    at: datetime

    @strawberry_django.field(only=["actor_label"])
    def actor(self, root: models.TimelineEntry) -> str:
        return root.actor_label

    @classmethod
    def get_queryset(cls, queryset: QuerySet, info: Info, **kwargs: Any) -> QuerySet:
        # Entries staff marked internal are never shown to the organization.
        return super().get_queryset(queryset, info, **kwargs).filter(public=True)


@strawberry_django.type(models.LegalDocument, name="LegalDocument")
class LegalDocumentType(TenantScoped):
    """A signed order the viewer's organization attached (the file itself: `downloadPath`)."""

    id: strawberry.ID
    filename: str
    size: int
    sha256: str = strawberry_django.field(description="SHA-256 of the file, hex.")
    uploaded_at: datetime

    @strawberry_django.field(
        only=["id"],
        description="GET it with the same bearer token; every download is audited.",
    )
    def download_path(self, root: models.LegalDocument) -> str:
        return reverse("liaison:legal-document-download", args=[root.pk])


@strawberry.type(name="HandlingTeam")
class HandlingTeam:
    """The desk that handles a request, by its public name."""

    name: str


@strawberry_django.type(models.NonDisclosureOrder, name="NonDisclosureOrder")
class NonDisclosureOrderType(TenantScoped):
    """The organization's order not to tell the user about its request before `until`."""

    legal_basis: str
    until: datetime = strawberry_django.field(description="The user is not told before this.")
    attached_at: datetime
    extended_at: datetime | None


@strawberry.type(name="CannotComply")
class CannotComplyType:
    """The platform's answer that the request cannot be executed (e-Evidence Annex III), and
    whether the authority corrected or withdrew it since."""

    ground: CannotComplyGround
    ground_label: str = strawberry.field(description="The Annex III ground in words.")
    explanation: str
    raised_at: datetime
    resolution: CannotComplyResolution | None
    resolved_at: datetime | None


@strawberry.type(name="Preservation")
class PreservationInfo:
    """The preservation of a request's data: since when, until when, and how it stands."""

    instrument: LegalInstrument
    preserved_at: datetime
    preserved_until: datetime
    extensions: int = strawberry.field(description="Extensions used (the law allows one).")
    extendable: bool = strawberry.field(description="Whether extendPreservation would extend it.")
    held_for_production: bool = strawberry.field(
        description="A production request naming it is still open: kept until it is answered."
    )
    ended_at: datetime | None = strawberry.field(description="When the data stopped being kept.")


def _preservation_of(root: models.LegalRequest) -> models.Preservation | None:
    try:
        return root.preservation
    except models.Preservation.DoesNotExist:
        return None


@strawberry_django.type(models.LegalRequest, name="LegalRequest")
class LegalRequestType(TenantScopedNode, relay.Node):
    """A legal request of the viewer's organization."""

    reference: str
    kind: RequestKind
    category: RequestCategory
    status: RequestStatus
    jurisdiction: str
    legal_basis: str
    summary: str
    data_categories: list[DataCategory]
    submitted_at: datetime
    due_at: datetime | None = strawberry_django.field(
        description="The deadline, from receipt (moved on by any pause for a clarification)."
    )
    clock_paused_at: datetime | None = strawberry_django.field(
        description="Set while the clock is paused for a clarification (NEEDS_INFO), else null."
    )
    targets: list[TargetType] = strawberry_django.field()
    timeline: list[TimelineEntryType] = strawberry_django.field()
    documents: list[LegalDocumentType] = strawberry_django.field()
    period_start: datetime | None = strawberry_django.field(
        description="Start of the period the requested data covers."
    )
    period_end: datetime | None = strawberry_django.field(
        description="End of the period the requested data covers."
    )
    review_policy_version: str = strawberry_django.field(
        description="Version of the review policy the decision applied (empty until decided)."
    )

    @strawberry_django.field(
        only=["rejection_reason"], description="Why the request was rejected, if it was."
    )
    def rejection_reason(self, root: models.LegalRequest) -> RejectionReason | None:
        return RejectionReason(root.rejection_reason) if root.rejection_reason else None

    @strawberry_django.field(
        only=["instrument"],
        description="The legal instrument: as named at submission, or as inferred from kind, "
        "category and jurisdiction.",
    )
    def instrument(self, root: models.LegalRequest) -> LegalInstrument | None:
        return LegalInstrument(root.instrument) if root.instrument else None

    @strawberry_django.field(
        select_related=["preservation"],
        description="For preservations: until when the data is kept (null before it is preserved).",
    )
    def preserved_until(self, root: models.LegalRequest) -> datetime | None:
        preservation = _preservation_of(root)
        return preservation.preserved_until if preservation is not None else None

    @strawberry_django.field(
        select_related=["preservation__production_request"],
        description="The preservation of this request's data, once recorded.",
    )
    def preservation(self, root: models.LegalRequest) -> PreservationInfo | None:
        from liaison.preservation import preservation_extension_refusal, preservation_is_held

        preservation = _preservation_of(root)
        if preservation is None:
            return None
        return PreservationInfo(
            instrument=LegalInstrument(preservation.instrument),
            preserved_at=preservation.preserved_at,
            preserved_until=preservation.preserved_until,
            extensions=preservation.extensions,
            extendable=preservation_extension_refusal(preservation) is None,
            held_for_production=preservation_is_held(preservation),
            ended_at=preservation.ended_at,
        )

    @strawberry_django.field(only=["handling_desk"])
    def handling_team(self, root: models.LegalRequest) -> HandlingTeam | None:
        return HandlingTeam(name=root.handling_desk) if root.handling_desk else None

    @strawberry_django.field(
        select_related=["intake_assessment"],
        description=(
            "True while the platform verifies the request with your organization (a call to "
            "its registered number): it is handled meanwhile, but no data is released before. "
            "The timeline says when verification starts and completes."
        ),
    )
    def verification_pending(self, root: models.LegalRequest) -> bool:
        assessment = getattr(root, "intake_assessment", None)
        return bool(assessment is not None and assessment.holding)

    non_disclosure_order: NonDisclosureOrderType | None = strawberry_django.field(
        description=(
            "Your order not to tell the user about this request before a date (null if none): "
            "attachNonDisclosureOrder, extendNonDisclosureOrder."
        )
    )

    @strawberry_django.field(
        prefetch_related=["cannot_comply_notices"],
        description=(
            "The latest answer that the request cannot be executed (e-Evidence Annex III): "
            "correct the request (correctLegalRequest) or withdraw it. Null if there is none."
        ),
    )
    def cannot_comply(self, root: models.LegalRequest) -> CannotComplyType | None:
        notices = list(root.cannot_comply_notices.all())
        if not notices:
            return None
        notice = max(notices, key=lambda n: (n.raised_at, n.pk))
        return CannotComplyType(
            ground=CannotComplyGround(notice.ground),
            ground_label=notice.get_ground_display(),
            explanation=notice.explanation,
            raised_at=notice.raised_at,
            resolution=CannotComplyResolution(notice.resolution) if notice.resolution else None,
            resolved_at=notice.resolved_at,
        )

    @strawberry_django.field(
        select_related=["no_data_decision"],
        description=(
            "True when the request was fulfilled without a disclosure package because the "
            "platform holds no data for its targets in the requested period."
        ),
    )
    def no_data_held(self, root: models.LegalRequest) -> bool:
        return getattr(root, "no_data_decision", None) is not None


@strawberry.type(name="Viewer")
class Viewer:
    """Who the token belongs to."""

    authenticated: bool
    email: str | None
    organization: OrganizationType | None
    is_staff: bool


@strawberry.type(name="DisclosedIpAddress")
class DisclosedIpAddress:
    """An IP address the account was seen from, and when (UTC)."""

    address: str
    seen_at: datetime


@strawberry.type(name="DisclosureRecord")
class DisclosureRecord:
    """What is disclosed about one target: only the requested categories (others are null)."""

    target_kind: TargetKind
    target: str
    phone_number: str | None
    ip_addresses: list[DisclosedIpAddress] | None


@strawberry.type(name="DisclosurePackage")
class DisclosurePackageType:
    """The data produced for a fulfilled disclosure request, signed by the platform."""

    request_id: strawberry.ID = strawberry.field(description="Global id of the LegalRequest.")
    created_at: datetime
    expires_at: datetime
    records: list[DisclosureRecord]
    signature: str = strawberry.field(
        description=(
            "Ed25519 signature (base64) by the key at /.well-known/liaison-signing-key (also "
            "`signingKey`) over the canonical JSON of the records, i.e. over exactly the bytes "
            "of `json`: the list of records serialized with sorted keys, no whitespace "
            '(separators "," and ":"), non-ASCII characters unescaped, encoded as UTF-8 — in '
            "Python: json.dumps(records, sort_keys=True, separators=(',', ':'), "
            "ensure_ascii=False).encode(). Record keys: target_kind, target, and only the "
            "requested ones of phone_number and ip_addresses ([{address, seen_at}], "
            "seen_at in UTC, ISO 8601 with Z)."
        )
    )
    signing_key_id: str = strawberry.field(description="Fingerprint of the signing key.")
    json: str = strawberry.field(description="The records as signed (canonical JSON).")
    csv: str = strawberry.field(
        description="The records as CSV: target_kind,target,phone_number,ip_address,seen_at."
    )


@strawberry.type(name="SigningKey")
class SigningKeyType:
    """The platform's public key that signs disclosure packages."""

    algorithm: str
    public_key: str = strawberry.field(description="The raw 32-byte Ed25519 public key, base64.")
    public_key_pem: str
    key_id: str
