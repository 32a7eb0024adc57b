"""The liaison app's models: tenants, their legal requests, and the records around them."""

from liaison.models.audit import AuditEntry, AuditTreeHead
from liaison.models.cannot_comply import (
    CannotComplyGround,
    CannotComplyNotice,
    CannotComplyNoticeQuerySet,
)
from liaison.models.disclosure import DisclosurePackage, DisclosurePackageQuerySet
from liaison.models.documents import LegalDocument, LegalDocumentQuerySet, legal_document_path
from liaison.models.enums import (
    DataCategory,
    LegalInstrument,
    OrganizationKind,
    RejectionReason,
    RequestCategory,
    RequestKind,
    RequestOrigin,
    RequestStatus,
    TargetKind,
)
from liaison.models.preservation import Preservation, PreservationQuerySet
from liaison.models.requests import (
    LegalRequest,
    LegalRequestQuerySet,
    Target,
    TargetQuerySet,
    TimelineEntry,
    TimelineEntryQuerySet,
)
from liaison.models.review import Approval, CallbackVerification, LegalAnalysis
from liaison.models.tenants import (
    ApiToken,
    ApiTokenQuerySet,
    Membership,
    Organization,
    OrganizationQuerySet,
    TenantQuerySet,
)
from liaison.models.user_notice import NonDisclosureOrder, NonDisclosureOrderQuerySet, UserNotice
from liaison.models.verification import (
    CallbackNumberChange,
    ContentRemoval,
    IntakeAssessment,
    NoDataDecision,
    TargetPreflight,
    TokenSourceAddress,
)
from liaison.models.webhooks import WebhookDelivery
from liaison.subscriber_records.models import LoginEvent, PlatformAccount

__all__ = [
    "ApiToken",
    "ApiTokenQuerySet",
    "Approval",
    "AuditEntry",
    "AuditTreeHead",
    "CallbackNumberChange",
    "CallbackVerification",
    "CannotComplyGround",
    "CannotComplyNotice",
    "CannotComplyNoticeQuerySet",
    "ContentRemoval",
    "DataCategory",
    "DisclosurePackage",
    "DisclosurePackageQuerySet",
    "IntakeAssessment",
    "LegalAnalysis",
    "LegalDocument",
    "LegalDocumentQuerySet",
    "LegalInstrument",
    "LegalRequest",
    "LegalRequestQuerySet",
    "LoginEvent",
    "Membership",
    "NoDataDecision",
    "NonDisclosureOrder",
    "NonDisclosureOrderQuerySet",
    "Organization",
    "OrganizationKind",
    "OrganizationQuerySet",
    "PlatformAccount",
    "Preservation",
    "PreservationQuerySet",
    "RejectionReason",
    "RequestCategory",
    "RequestKind",
    "RequestOrigin",
    "RequestStatus",
    "Target",
    "TargetKind",
    "TargetPreflight",
    "TargetQuerySet",
    "TenantQuerySet",
    "TimelineEntry",
    "TimelineEntryQuerySet",
    "TokenSourceAddress",
    "UserNotice",
    "WebhookDelivery",
    "legal_document_path",
]
