"""Who is acting: a member of an organization (API token or session) or a platform staff member,
what a staff member may do, and how an actor is named (internally, and to outsiders)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

# What outsiders see for platform staff where no desk applies (the hotline's main line, say).
PLATFORM_STAFF = "Platform staff"


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
        """Who acted, for staff accountability (audit log, internal notes): the e-mail address
        or username. Never shown to outsiders for staff: see `public_name`."""
        return internal_label(self.user)

    @property
    def public_label(self) -> str:
        """How outsiders see the actor where no desk applies (see `public_name`)."""
        return public_name(self)

    def has_perm(self, permission: str) -> bool:
        """Does this active platform staff member hold `permission` ("app_label.codename"),
        through a group or directly? Superusers hold every permission; members none."""
        user = self.user
        return bool(
            self.is_platform_staff
            and user is not None
            and getattr(user, "is_active", False)
            and user.has_perm(permission)
        )


def internal_label(user: Any) -> str:
    """A user as staff see them: e-mail address, else username."""
    return str(getattr(user, "email", "") or user.get_username())


def public_name(actor: Actor | None, *, desk: str | None = None) -> str:
    """How an actor is named to outsiders (authorities and NGOs, on every channel: timeline
    `actor`, hotline author, "… is typing", webhooks, e-mails): the one source of those labels.

    Platform staff appear as the desk's public name (`desk`, else "Platform staff"), preceded by
    the display name they chose, if any: "Alex (Law Enforcement Response EU)". Never their
    e-mail address or username. A member of an organization appears as staff see them (their
    own organization knows them); no actor is the system.
    """
    if actor is None:
        return "system"
    if not actor.is_platform_staff:
        return actor.label
    from core.staff import staff_display_name  # the model module, once apps are loaded

    desk_name = (desk or "").strip() or PLATFORM_STAFF
    display_name = staff_display_name(actor.user)
    return f"{display_name} ({desk_name})" if display_name else desk_name


def permission_denied(what: str, *, group: str, permission: str) -> ValidationError:
    """The refusal of a staff action the actor's groups do not allow (code `permission_denied`)."""
    return ValidationError(
        f"You may not {what}: that takes the {group} group (permission {permission}).",
        code="permission_denied",
    )


def staff_actor(user: Any) -> Actor:
    """The actor for a platform staff member working in admin."""
    return Actor(user=user, organization=None, is_staff=bool(user.is_staff))


def session_staff_actor(user: Any) -> Actor | None:
    """The actor of a signed-in, active staff session user; None for anyone else."""
    if user is not None and user.is_authenticated and user.is_active and user.is_staff:
        return Actor(user=user, organization=None, is_staff=True)
    return None
