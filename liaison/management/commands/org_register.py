"""`manage.py org_register`: register an authority or NGO; prints its slug on the last line."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from liaison import organizations


class Command(BaseCommand):
    help = "Register an organization (authority or NGO). The last line printed is its slug."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", required=True, choices=["authority", "ngo"])
        parser.add_argument("--name", required=True)
        parser.add_argument("--country", required=True, help="ISO 3166-1 alpha-2, e.g. DE")
        parser.add_argument("--callback-phone", default="", help="Registered number, E.164")
        parser.add_argument("--email", default="", help="Contact e-mail of the organization")
        parser.add_argument("--verify", action="store_true", help="Verify it at once")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            organization = organizations.organization_register(
                kind=options["kind"].upper(),
                name=options["name"],
                country=options["country"],
                callback_phone=options["callback_phone"],
                contact_email=options["email"],
                verify=options["verify"],
            )
        except ValidationError as error:
            raise CommandError(_describe(error)) from error
        state = "verified" if organization.is_verified else "pending verification"
        self.stderr.write(f"Registered {organization.name} ({organization.kind}, {state}).")
        self.stdout.write(organization.slug)


def _describe(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
    return " ".join(error.messages)
