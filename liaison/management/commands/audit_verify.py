"""`manage.py audit_verify`: check the audit log's hash chain; non-zero exit at the first break."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from liaison.audit import audit_verify


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log; name the first edited or deleted entry."

    def handle(self, *args: Any, **options: Any) -> None:
        checked, broken = audit_verify()
        if broken is not None:
            raise CommandError(
                f"Audit log BROKEN at entry #{broken.seq}"
                + (f" (id {broken.entry_id})" if broken.entry_id is not None else "")
                + f": {broken.reason}. {checked} entries before it verify."
            )
        self.stdout.write(f"Audit log OK: {checked} entries, chain intact.")
