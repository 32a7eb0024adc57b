"""The audit log without a global lock: entries are appended unsealed, a sealer chains them.

`seq`, `prev_hash` and `hash` become nullable (set by the sealer, liaison.audit.audit_seal);
`sealed_at` is new (null on the entries chained before, which keep their hashes and verify
as they are); the signed heads of the chain get their own table. The append-only trigger now
lets exactly one UPDATE through per entry: the sealer's, which sets the sealing columns of an
unsealed entry and nothing else. DELETE stays refused; the signed heads are append-only too.
"""

from django.db import migrations, models


FORWARD = """
CREATE OR REPLACE FUNCTION liaison_audit_refuse_change() RETURNS trigger AS $$
BEGIN
    -- The sealer's one write: an unsealed entry gets its place in the chain, nothing else moves.
    IF TG_OP = 'UPDATE'
       AND OLD.seq IS NULL AND OLD.hash IS NULL AND OLD.prev_hash IS NULL
       AND OLD.sealed_at IS NULL
       AND NEW.seq IS NOT NULL AND NEW.hash IS NOT NULL AND NEW.prev_hash IS NOT NULL
       AND NEW.sealed_at IS NOT NULL
       AND (NEW.id, NEW.at, NEW.actor_user_id, NEW.actor_label, NEW.organization_id,
            NEW.action, NEW.object_type, NEW.object_id, NEW.details)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.at, OLD.actor_user_id, OLD.actor_label, OLD.organization_id,
            OLD.action, OLD.object_type, OLD.object_id, OLD.details)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'liaison_auditentry is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION liaison_audit_head_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'liaison_audittreehead is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER liaison_audit_head_append_only
    BEFORE UPDATE OR DELETE ON liaison_audittreehead
    FOR EACH ROW EXECUTE FUNCTION liaison_audit_head_refuse_change();
"""

# Back to 0003's guard (which refuses every UPDATE); unsealed entries would need sealing first.
BACKWARD = """
DROP TRIGGER IF EXISTS liaison_audit_head_append_only ON liaison_audittreehead;
DROP FUNCTION IF EXISTS liaison_audit_head_refuse_change();
CREATE OR REPLACE FUNCTION liaison_audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'liaison_auditentry is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('liaison', '0019_staff_view_preservations'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditTreeHead',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('tree_size', models.BigIntegerField(unique=True)),
                ('head_hash', models.CharField(max_length=64)),
                ('sealed_at', models.DateTimeField()),
                ('key_id', models.CharField(max_length=64)),
                ('signature', models.CharField(max_length=200)),
            ],
            options={
                'ordering': ['tree_size'],
            },
        ),
        migrations.AlterModelOptions(
            name='auditentry',
            options={'ordering': [models.OrderBy(models.F('seq'), nulls_last=True), 'id'], 'verbose_name_plural': 'audit entries'},
        ),
        migrations.AddField(
            model_name='auditentry',
            name='sealed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='hash',
            field=models.CharField(blank=True, max_length=64, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='prev_hash',
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='seq',
            field=models.BigIntegerField(blank=True, null=True, unique=True),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(condition=models.Q(('seq__isnull', True)), fields=['id'], name='liaison_audit_unsealed'),
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
