"""Signal receivers of the hotline: every organization gets its main line."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from hotline import services
from liaison.models import Organization


def _organization_saved(sender: Any, instance: Organization, created: bool, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        services.conversation_main_ensure(organization=instance)


def connect() -> None:
    """Connect the receivers (called once from the app config)."""
    post_save.connect(_organization_saved, sender=Organization, dispatch_uid="hotline-main-line")
