"""`manage.py audit_seal`: chain and sign the audit entries not sealed yet (what beat does)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from liaison.audit import audit_seal


class Command(BaseCommand):
    help = "Seal the audit log now: chain the entries appended since the last seal, sign the head."

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_seal()
        self.stdout.write(
            f"Sealed {result.sealed} entries in {result.batches} batches; "
            f"head #{result.head.seq} {result.head.hash}"
        )
