"""`manage.py audit_verify`: check the audit log's hash chain and signed heads, and that nothing
stays unsealed too long; non-zero exit at the first finding."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from liaison.audit import audit_report


class Command(BaseCommand):
    help = (
        "Verify the hash chain and signed heads of the audit log; name the first edited or "
        "deleted entry; report entries unsealed for longer than AUDIT_UNSEALED_MAX_SECONDS."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_report()
        broken = report.broken
        if broken is not None:
            raise CommandError(
                f"Audit log BROKEN at entry #{broken.seq}"
                + (f" (id {broken.entry_id})" if broken.entry_id is not None else "")
                + f": {broken.reason}. {report.checked} entries before it verify."
            )
        stale = report.stale
        if stale is not None:
            raise CommandError(
                f"Audit log chain intact ({report.checked} sealed entries), but {stale.reason}"
            )
        self.stdout.write(f"Audit log OK: {report.checked} entries, chain intact.")
        if report.unsealed:
            self.stdout.write(
                f"{report.unsealed} entries appended and not sealed yet (within the "
                f"{int(report.unsealed_bound.total_seconds())} s bound)."
            )
