"""Published reports are immutable in the database too: UPDATE and DELETE are refused by a
trigger on both tables (row-level, so TRUNCATE in test database flushes still works), like
liaison's audit log (liaison 0003)."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION transparency_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is immutable once published (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER transparency_dailyreport_immutable
    BEFORE UPDATE OR DELETE ON transparency_dailyreport
    FOR EACH ROW EXECUTE FUNCTION transparency_refuse_change();
CREATE TRIGGER transparency_dailyreportrow_immutable
    BEFORE UPDATE OR DELETE ON transparency_dailyreportrow
    FOR EACH ROW EXECUTE FUNCTION transparency_refuse_change();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS transparency_dailyreportrow_immutable ON transparency_dailyreportrow;
DROP TRIGGER IF EXISTS transparency_dailyreport_immutable ON transparency_dailyreport;
DROP FUNCTION IF EXISTS transparency_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("transparency", "0001_daily_reports")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
