"""The liaison app's models: tenants, their legal requests, and the records around them."""

from liaison.models.audit import AuditEntry, AuditTreeHead
from liaison.models.disclosure import DisclosurePackage, DisclosurePackageQuerySet
from liaison.models.documents import LegalDocument, LegalDocumentQuerySet, legal_document_path
from liaison.models.enums import (
    DataCategory,
    OrganizationKind,
    RejectionReason,
    RequestCategory,
    RequestKind,
    RequestOrigin,
    RequestStatus,
    TargetKind,
)
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
from liaison.models.webhooks import WebhookDelivery
from liaison.subscriber_records.models import LoginEvent, PlatformAccount

__all__ = [
    "ApiToken",
    "ApiTokenQuerySet",
    "Approval",
    "AuditEntry",
    "AuditTreeHead",
    "CallbackVerification",
    "DataCategory",
    "DisclosurePackage",
    "DisclosurePackageQuerySet",
    "LegalAnalysis",
    "LegalDocument",
    "LegalDocumentQuerySet",
    "LegalRequest",
    "LegalRequestQuerySet",
    "LoginEvent",
    "Membership",
    "Organization",
    "OrganizationKind",
    "OrganizationQuerySet",
    "PlatformAccount",
    "RejectionReason",
    "RequestCategory",
    "RequestKind",
    "RequestOrigin",
    "RequestStatus",
    "Target",
    "TargetKind",
    "TargetQuerySet",
    "TenantQuerySet",
    "TimelineEntry",
    "TimelineEntryQuerySet",
    "WebhookDelivery",
    "legal_document_path",
]
