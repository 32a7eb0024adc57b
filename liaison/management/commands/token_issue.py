"""`manage.py token_issue`: a new API token for a member; prints it on the last line, once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from liaison import organizations, selectors, tokens
from liaison.management.commands.org_register import _describe


class Command(BaseCommand):
    help = "Create the member if needed and print a new API token (shown once, stored hashed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="Organization slug")
        parser.add_argument("--email", required=True)
        parser.add_argument("--expires-days", type=int, default=None)
        parser.add_argument("--label", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = selectors.organization_get_by_slug(slug=options["org"])
        if organization is None:
            raise CommandError(f"No organization with slug {options['org']!r}.")
        days = options["expires_days"]
        if days is not None and days <= 0:
            raise CommandError("--expires-days must be a positive number of days.")
        try:
            membership = organizations.member_ensure(
                organization=organization, email=options["email"]
            )
            issued = tokens.api_token_issue(
                membership=membership,
                expires_in=timedelta(days=days) if days is not None else None,
                label=options["label"],
            )
        except ValidationError as error:
            raise CommandError(_describe(error)) from error
        self.stderr.write(
            f"Token for {membership.user.email} at {organization.slug}, expires "
            f"{issued.token.expires_at:%Y-%m-%d}. It is shown once; store it now."
        )
        self.stdout.write(issued.secret)
