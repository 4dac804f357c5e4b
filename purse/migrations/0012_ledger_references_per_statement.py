"""The ledger's references, checked once per statement (with the balance) instead of by
foreign keys per row: a top-up run writes tens of thousands of entries in a statement,
and the deferred foreign-key checks cost more than the writing. A referenced
transaction or account can never go away: transactions are append-only already, and
accounts now refuse DELETE, TRUNCATE and a change of id. The accounts' table keeps room
in each page, so balance updates stay on the page (HOT) and touch no index."""

import django.db.models.deletion
from django.db import migrations, models

FORWARD = """
CREATE OR REPLACE FUNCTION ledger_entries_balanced() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    problem text;
BEGIN
    -- The entry table's own schema, not the search path.
    EXECUTE format(
        'SELECT ''references transaction '' || w.transaction_id || '' that does not exist''
           FROM written w LEFT JOIN %1$I.ledger_transaction t ON t.id = w.transaction_id
          WHERE t.id IS NULL
         UNION ALL
         SELECT ''references account '' || w.account_id || '' that does not exist''
           FROM written w LEFT JOIN %1$I.ledger_account a ON a.id = w.account_id
          WHERE a.id IS NULL
         UNION ALL
         (SELECT ''transaction '' || e.transaction_id || '' does not balance''
            FROM %1$I.ledger_entry e
           WHERE e.transaction_id IN (SELECT DISTINCT transaction_id FROM written)
           GROUP BY e.transaction_id
          HAVING SUM(CASE e.side WHEN ''D'' THEN e.amount_pence ELSE -e.amount_pence END) <> 0)
         LIMIT 1',
        TG_TABLE_SCHEMA)
      INTO problem;
    IF problem IS NOT NULL THEN
        RAISE EXCEPTION 'ledger entry %', problem USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER ledger_account_no_delete
    BEFORE DELETE ON ledger_account
    FOR EACH ROW EXECUTE FUNCTION epurse_refuse_change();
CREATE TRIGGER ledger_account_no_renumber
    BEFORE UPDATE OF id ON ledger_account
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION epurse_refuse_change();
CREATE TRIGGER ledger_account_no_truncate
    BEFORE TRUNCATE ON ledger_account
    FOR EACH STATEMENT EXECUTE FUNCTION epurse_refuse_change();
ALTER TABLE ledger_account SET (fillfactor = 70);
"""

BACKWARD = """
ALTER TABLE ledger_account RESET (fillfactor);
DROP TRIGGER IF EXISTS ledger_account_no_truncate ON ledger_account;
DROP TRIGGER IF EXISTS ledger_account_no_renumber ON ledger_account;
DROP TRIGGER IF EXISTS ledger_account_no_delete ON ledger_account;
"""


class Migration(migrations.Migration):
    dependencies = [("purse", "0011_statements")]

    operations = [
        migrations.AlterField(
            model_name="entry",
            name="account",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="entries",
                to="purse.account",
            ),
        ),
        migrations.AlterField(
            model_name="entry",
            name="transaction",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="entries",
                to="purse.ledgertransaction",
            ),
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
