#!/usr/bin/env python
"""Django's command-line utility for the Liaison Portal."""

import os
import sys


def main() -> None:
    """Run a management command, starting the embedded servers first when no URLs are set."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    from portal import embedded, secret_key

    if not os.environ.get("DATABASE_URL"):
        # The embedded default is a developer's machine: the SECRET_KEY `make run` uses
        # (var/secret-key). With a DATABASE_URL and DEBUG off, SECRET_KEY must be set.
        secret_key.ensure_in_environ(os.environ)
    embedded.ensure_services_for_command(sys.argv[1:])
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
