"""Every transaction balances, checked once per statement that writes entries rather than
once per entry at commit: a top-up run writes tens of thousands of entries in one
statement, and one set-based check of the transactions it touched costs a fraction of
a check per entry. A transaction's entries are always written in one statement, so a
statement that leaves any of its transactions unbalanced (including one that adds an
entry to an earlier transaction) is refused."""

from django.db import migrations

FORWARD = """
DROP TRIGGER IF EXISTS ledger_entry_balanced ON ledger_entry;
DROP FUNCTION IF EXISTS ledger_transaction_balanced();

CREATE OR REPLACE FUNCTION ledger_entries_balanced() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    unbalanced bigint;
BEGIN
    -- The entry table's own schema, not the search path.
    EXECUTE format(
        'SELECT e.transaction_id FROM %I.ledger_entry e
          WHERE e.transaction_id IN (SELECT DISTINCT transaction_id FROM written)
          GROUP BY e.transaction_id
         HAVING SUM(CASE e.side WHEN ''D'' THEN e.amount_pence ELSE -e.amount_pence END) <> 0
          LIMIT 1',
        TG_TABLE_SCHEMA)
      INTO unbalanced;
    IF unbalanced IS NOT NULL THEN
        RAISE EXCEPTION 'ledger transaction % does not balance', unbalanced
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER ledger_entries_balanced
    AFTER INSERT ON ledger_entry
    REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_balanced();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS ledger_entries_balanced ON ledger_entry;
DROP FUNCTION IF EXISTS ledger_entries_balanced();
"""


class Migration(migrations.Migration):
    dependencies = [("purse", "0007_ledger_actor_public_id")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
