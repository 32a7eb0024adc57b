#!/usr/bin/env python
"""Django's command-line utility for the Liaison Portal."""

import os
import sys


def main() -> None:
    """Run a management command, starting the embedded servers first when no URLs are set."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    from portal import embedded, secret_key

    if not os.environ.get("DATABASE_URL") or secret_key.secret_key_path().exists():
        # A developer's checkout: the SECRET_KEY `make run` uses (var/secret-key; created here
        # on the embedded default), so commands reach the same portal as a running `make run`,
        # with or without DATABASE_URL. Elsewhere (an image has no var/) SECRET_KEY must be set.
        secret_key.ensure_in_environ(os.environ)
    embedded.ensure_services_for_command(sys.argv[1:])
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
