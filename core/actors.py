"""Who is acting: a member of an organization (API token or session) or a platform staff member."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Actor:
    """The authenticated caller. Every tenant-owned read and write is scoped by it."""

    user: Any
    organization: Any  # the tenant (liaison.models.Organization), None for platform staff
    membership_id: int | None = None
    token_id: int | None = None
    is_staff: bool = False

    @property
    def organization_id(self) -> int | None:
        return self.organization.pk if self.organization is not None else None

    @property
    def is_platform_staff(self) -> bool:
        """Platform staff acting for the platform, not for a tenant: the one staff predicate."""
        return self.is_staff and self.organization_id is None

    @property
    def label(self) -> str:
        """How the actor appears on timelines."""
        return str(getattr(self.user, "email", "") or self.user.get_username())


def staff_actor(user: Any) -> Actor:
    """The actor for a platform staff member working in admin."""
    return Actor(user=user, organization=None, is_staff=bool(user.is_staff))


def session_staff_actor(user: Any) -> Actor | None:
    """The actor of a signed-in, active staff session user; None for anyone else."""
    if user is not None and user.is_authenticated and user.is_active and user.is_staff:
        return Actor(user=user, organization=None, is_staff=True)
    return None
