"""The audit log is append-only in the database too: UPDATE and DELETE are refused by a trigger.

Row-level only, so TRUNCATE (used by test database flushes) still works; anyone able to
disable the trigger can also edit rows, which is what `manage.py audit_verify` detects.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION liaison_audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'liaison_auditentry is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER liaison_audit_append_only
    BEFORE UPDATE OR DELETE ON liaison_auditentry
    FOR EACH ROW EXECUTE FUNCTION liaison_audit_refuse_change();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS liaison_audit_append_only ON liaison_auditentry;
DROP FUNCTION IF EXISTS liaison_audit_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("liaison", "0002_review_disclosure_audit")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
