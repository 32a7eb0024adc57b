"""Platform staff: the display name a staff member chooses to show outsiders, and the permission
groups that say what each staff member may do (the apps define their groups; this creates them).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.apps import apps as global_apps
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models

DISPLAY_NAME_MAX_LENGTH = 60
UTC_NAME = "UTC"


def validate_time_zone(name: str) -> None:
    """An IANA time zone name that this machine knows ("Europe/Berlin")."""
    if name and name != UTC_NAME and name not in zoneinfo.available_timezones():
        raise ValidationError(
            f"“{name}” is not a time zone; give an IANA name such as Europe/Berlin.",
            code="invalid_time_zone",
        )


class StaffProfile(models.Model):
    """What outsiders (authorities, NGOs) may know of a staff member: a display name of their
    own choosing, shown with the desk's public name. Never their e-mail or username."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    display_name = models.CharField(
        max_length=DISPLAY_NAME_MAX_LENGTH,
        blank=True,
        help_text="Shown to authorities and NGOs with your desk's name (in the hotline chat and "
        "on request timelines), e.g. “Alex”. Leave blank to appear as the desk only. Not an "
        "e-mail address or your username.",
    )
    time_zone = models.CharField(
        max_length=64,
        default=UTC_NAME,
        blank=True,
        validators=[validate_time_zone],
        help_text="Your own time zone (IANA name, e.g. Europe/Berlin): staff pages show every "
        "time in UTC and, beside it, in this zone. Blank: UTC only.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "staff display name"
        verbose_name_plural = "staff display names"

    def __str__(self) -> str:
        return self.display_name or "(desk name only)"

    def clean(self) -> None:
        """A display name is a name: no e-mail address, no username, no control characters."""
        name = " ".join(self.display_name.split())
        self.display_name = name
        if not name:
            return
        user = self.user if self.user_id else None
        own = {
            str(getattr(user, "email", "") or "").casefold(),
            str(user.get_username() if user is not None else "").casefold(),
        } - {""}
        if "@" in name or name.casefold() in own:
            raise ValidationError(
                {
                    "display_name": ValidationError(
                        "Choose a name, not an e-mail address or your username: outsiders see it.",
                        code="not_a_name",
                    )
                }
            )
        if any(not character.isprintable() for character in name):
            raise ValidationError(
                {
                    "display_name": ValidationError(
                        "No control or invisible formatting characters.", code="invalid"
                    )
                }
            )


def staff_display_name(user: Any) -> str:
    """The display name `user` chose ("" if none). Reads the profile once per user object."""
    try:
        profile = user.staff_profile
    except (ObjectDoesNotExist, AttributeError):
        return ""
    return str(profile.display_name or "").strip()


def staff_time_zone(user: Any) -> zoneinfo.ZoneInfo | None:
    """The zone `user` chose (None for UTC or none chosen). Reads the profile once per user."""
    try:
        name = str(user.staff_profile.time_zone or UTC_NAME)
    except (ObjectDoesNotExist, AttributeError):
        return None
    if name == UTC_NAME:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def staff_time(value: datetime | None, zone: zoneinfo.ZoneInfo | None) -> str:
    """A moment as staff pages show it: date, 24-hour clock, UTC, and the staff member's own
    zone beside it ("2026-12-01 14:05 UTC (15:05 CET)"; the date too when it differs)."""
    if value is None:
        return "—"
    utc, local = staff_time_parts(value, zone)
    return utc if local is None else f"{utc} ({local})"


def staff_time_parts(value: datetime, zone: zoneinfo.ZoneInfo | None) -> tuple[str, str | None]:
    """The two halves of `staff_time`: "2026-12-01 14:05 UTC" and "15:05 CET" (None: no zone
    chosen), for a page that lays them out itself."""
    utc = value.astimezone(zoneinfo.ZoneInfo(UTC_NAME))
    if zone is None:
        return f"{utc:%Y-%m-%d %H:%M} UTC", None
    local = value.astimezone(zone)
    local_text = f"{local:%H:%M %Z}" if local.date() == utc.date() else f"{local:%Y-%m-%d %H:%M %Z}"
    return f"{utc:%Y-%m-%d %H:%M} UTC", local_text


def staff_groups_merge(*groups: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """The staff groups several apps define, each group with the union of what they grant it
    (an app may add its own permissions to another app's group)."""
    merged: dict[str, dict[str, None]] = {}
    for group_map in groups:
        for name, dotted in group_map.items():
            merged.setdefault(name, {}).update(dict.fromkeys(dotted))
    return {name: tuple(dotted) for name, dotted in merged.items()}


def staff_groups_ensure(groups: Mapping[str, Iterable[str]], *, apps: Any = None) -> None:
    """Create the named groups and give each its permissions ("app_label.codename"); permissions
    staff gave a group by hand are kept. Idempotent. `apps`: a migration's historical apps."""
    registry = apps or global_apps
    group_model = registry.get_model("auth", "Group")
    permission_model = registry.get_model("auth", "Permission")
    for name, dotted in groups.items():
        group, _ = group_model.objects.get_or_create(name=name)
        wanted = []
        for permission in dotted:
            app_label, codename = permission.split(".", 1)
            wanted.append(
                permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.add(*wanted)


def permissions_create_now(apps: Any, *, using: str, app_labels: Iterable[str]) -> None:
    """Create the permissions of these apps' models in a data migration (Django creates them
    only after migrate, on post_migrate; a migration that grants them needs them earlier)."""
    from django.contrib.auth.management import create_permissions

    for label in app_labels:
        config = apps.get_app_config(label)
        config.models_module = True  # a historical app config has none: create_permissions skips it
        try:
            create_permissions(config, verbosity=0, using=using, apps=apps)
        finally:
            config.models_module = None
