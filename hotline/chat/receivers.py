"""Signal receivers of the chat: every organization gets its main line, and a report raised in
the chat gets a switchboard notice (desk and deadline) when its ticket is opened."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from hotline.chat import services
from hotline.models import Ticket
from liaison.models import Organization


def _organization_saved(sender: Any, instance: Organization, created: bool, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        services.conversation_main_ensure(organization=instance)


def _ticket_saved(sender: Any, instance: Ticket, created: bool, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        services.switchboard_notice_for_ticket(ticket=instance)


def connect() -> None:
    """Connect the receivers (called once from the app config)."""
    post_save.connect(_organization_saved, sender=Organization, dispatch_uid="hotline-main-line")
    post_save.connect(_ticket_saved, sender=Ticket, dispatch_uid="hotline-report-routed")
