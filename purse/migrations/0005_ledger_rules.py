"""The ledger's rules in the database, in every schema (clones carry them along):
entries and transactions are append-only, every transaction balances when the database
transaction commits, and each tenant has its one account of each shared kind."""

from django.db import migrations

FORWARD = """
CREATE TRIGGER ledger_entry_no_update_delete
    BEFORE UPDATE OR DELETE ON ledger_entry
    FOR EACH ROW EXECUTE FUNCTION epurse_refuse_change();
CREATE TRIGGER ledger_entry_no_truncate
    BEFORE TRUNCATE ON ledger_entry
    FOR EACH STATEMENT EXECUTE FUNCTION epurse_refuse_change();
CREATE TRIGGER ledger_transaction_no_update_delete
    BEFORE UPDATE OR DELETE ON ledger_transaction
    FOR EACH ROW EXECUTE FUNCTION epurse_refuse_change();
CREATE TRIGGER ledger_transaction_no_truncate
    BEFORE TRUNCATE ON ledger_transaction
    FOR EACH STATEMENT EXECUTE FUNCTION epurse_refuse_change();

-- Checked once per transaction row inserted into, when the database transaction
-- commits: by then all of its entries are in.
CREATE OR REPLACE FUNCTION ledger_transaction_balanced() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    debits bigint;
    credits bigint;
BEGIN
    -- The entry's own schema, not the search path: by commit time that may point at
    -- another tenant.
    EXECUTE format(
        'SELECT COALESCE(SUM(amount_pence) FILTER (WHERE side = ''D''), 0),
                COALESCE(SUM(amount_pence) FILTER (WHERE side = ''C''), 0)
           FROM %I.ledger_entry WHERE transaction_id = $1',
        TG_TABLE_SCHEMA)
      INTO debits, credits
      USING NEW.transaction_id;
    IF debits <> credits THEN
        RAISE EXCEPTION 'ledger transaction % does not balance: debits %, credits %',
            NEW.transaction_id, debits, credits
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER ledger_entry_balanced
    AFTER INSERT ON ledger_entry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_transaction_balanced();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS ledger_entry_balanced ON ledger_entry;
DROP FUNCTION IF EXISTS ledger_transaction_balanced();
DROP TRIGGER IF EXISTS ledger_transaction_no_truncate ON ledger_transaction;
DROP TRIGGER IF EXISTS ledger_transaction_no_update_delete ON ledger_transaction;
DROP TRIGGER IF EXISTS ledger_entry_no_truncate ON ledger_entry;
DROP TRIGGER IF EXISTS ledger_entry_no_update_delete ON ledger_entry;
"""

SHARED_KINDS = ("funding", "contributions", "clearing", "recoveries", "fees")


def shared_accounts(apps, schema_editor):  # type: ignore[no-untyped-def]
    Account = apps.get_model("purse", "Account")
    for kind in SHARED_KINDS:
        Account.objects.get_or_create(code=kind, defaults={"kind": kind})


class Migration(migrations.Migration):
    dependencies = [("purse", "0004_ledger"), ("core", "0002_audit_append_only")]

    operations = [
        migrations.RunSQL(FORWARD, BACKWARD),
        migrations.RunPython(shared_accounts, migrations.RunPython.noop),
    ]
