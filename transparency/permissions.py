"""What platform staff may see of the transparency app in admin (it has no staff verbs: reports
are published by the daily job, statements of reasons sent by theirs).

The groups are the ones the liaison and switchboard apps define; this app adds its view
permissions to them (migration 0008): legal reviewers, who decide removals and disclosures, and
the switchboard, which works the notices, see the published reports, the statements of reasons
and every trusted flagger's statistics.
"""

from __future__ import annotations

from liaison.permissions import LEGAL_REVIEWER
from switchboard.permissions import SWITCHBOARD

VIEW_PERMISSIONS = (
    "transparency.view_dailyreport",
    "transparency.view_statementofreasons",
    "transparency.view_trustedflagger",
)

STAFF_GROUPS: dict[str, tuple[str, ...]] = {
    LEGAL_REVIEWER: VIEW_PERMISSIONS,
    SWITCHBOARD: VIEW_PERMISSIONS,
}
