"""GraphQL enums, built from the models' TextChoices so that both always agree.

`strawberry.enum` registers a class in place and returns it, so these names are the model
choices themselves; type checkers are told so directly.
"""

from typing import TYPE_CHECKING

import strawberry

from liaison import models

if TYPE_CHECKING:
    from liaison.models import (
        CannotComplyGround,
        DataCategory,
        LegalInstrument,
        OrganizationKind,
        RejectionReason,
        RequestCategory,
        RequestKind,
        RequestStatus,
        TargetKind,
    )

    TimelineEvent = models.TimelineEntry.Event
    VerificationState = models.Organization.Verification
    CannotComplyResolution = models.CannotComplyNotice.Resolution
else:
    OrganizationKind = strawberry.enum(models.OrganizationKind, name="OrganizationKind")
    RequestKind = strawberry.enum(models.RequestKind, name="RequestKind")
    RequestCategory = strawberry.enum(models.RequestCategory, name="RequestCategory")
    RequestStatus = strawberry.enum(models.RequestStatus, name="RequestStatus")
    TargetKind = strawberry.enum(models.TargetKind, name="TargetKind")
    DataCategory = strawberry.enum(models.DataCategory, name="DataCategory")
    TimelineEvent = strawberry.enum(models.TimelineEntry.Event, name="TimelineEvent")
    VerificationState = strawberry.enum(models.Organization.Verification, name="VerificationState")
    RejectionReason = strawberry.enum(models.RejectionReason, name="RejectionReason")
    CannotComplyGround = strawberry.enum(models.CannotComplyGround, name="CannotComplyGround")
    CannotComplyResolution = strawberry.enum(
        models.CannotComplyNotice.Resolution, name="CannotComplyResolution"
    )
    LegalInstrument = strawberry.enum(models.LegalInstrument, name="LegalInstrument")

__all__ = [
    "CannotComplyGround",
    "CannotComplyResolution",
    "DataCategory",
    "LegalInstrument",
    "OrganizationKind",
    "RejectionReason",
    "RequestCategory",
    "RequestKind",
    "RequestStatus",
    "TargetKind",
    "TimelineEvent",
    "VerificationState",
]
