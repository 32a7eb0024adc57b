"""GraphQL object types of the liaison app. Every type scopes its rows to the viewer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry import relay
from strawberry.types import Info

from liaison import models
from liaison.schema.enums import (
    DataCategory,
    OrganizationKind,
    RequestCategory,
    RequestKind,
    RequestStatus,
    TargetKind,
    TimelineEvent,
    VerificationState,
)
from portal.graphql.context import get_actor


@strawberry_django.type(models.Organization, name="Organization")
class OrganizationType(relay.Node):
    """An authority or NGO. Only the viewer's own organization is visible."""

    slug: str
    name: str
    kind: OrganizationKind
    country: str
    verification: VerificationState

    @strawberry_django.field(only=["verification"])
    def verified(self, root: models.Organization) -> bool:
        return root.is_verified

    @classmethod
    def get_queryset(cls, queryset: QuerySet, info: Info, **kwargs: Any) -> QuerySet:
        actor = get_actor(info)
        if actor is None:
            return queryset.none()
        if actor.organization_id is not None:
            return queryset.filter(pk=actor.organization_id)
        return queryset if actor.is_staff else queryset.none()


@strawberry_django.type(models.Target, name="Target")
class TargetType:
    """An account, channel or message a request is about (canonical form)."""

    kind: TargetKind
    value: str


@strawberry_django.type(models.TimelineEntry, name="TimelineEntry")
class TimelineEntryType:
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
        return queryset.filter(public=True)


@strawberry.type(name="HandlingTeam")
class HandlingTeam:
    """The desk that handles a request, by its public name."""

    name: str


@strawberry_django.type(models.LegalRequest, name="LegalRequest")
class LegalRequestType(relay.Node):
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
    due_at: datetime | None
    targets: list[TargetType] = strawberry_django.field()
    timeline: list[TimelineEntryType] = strawberry_django.field()

    @strawberry_django.field(only=["handling_desk"])
    def handling_team(self, root: models.LegalRequest) -> HandlingTeam | None:
        return HandlingTeam(name=root.handling_desk) if root.handling_desk else None

    @classmethod
    def get_queryset(cls, queryset: QuerySet, info: Info, **kwargs: Any) -> QuerySet:
        return queryset.visible_to(get_actor(info))


@strawberry.type(name="Viewer")
class Viewer:
    """Who the token belongs to."""

    authenticated: bool
    email: str | None
    organization: OrganizationType | None
    is_staff: bool
