"""The ledger's write path, made cheaper for the top-up run and for every order:

- a transaction's key, and the hold it resolves, are unique only where present
  (partial indexes: no index entry for the NULLs almost every row has), and the key
  is in byte order so one index serves equality and prefix lookups;
- accounts leave more than half of each page free, so a run that moves the balance of
  every purse on a page keeps each update on its page (HOT, touching no index);
- the balance check sums only the entries a statement wrote. Every earlier statement
  left each of its transactions balanced and entries never change, so a transaction
  balances after this statement exactly when this statement's entries for it do.
"""

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
           FROM (SELECT DISTINCT transaction_id FROM written) w
           LEFT JOIN %1$I.ledger_transaction t ON t.id = w.transaction_id
          WHERE t.id IS NULL
         UNION ALL
         SELECT ''references account '' || w.account_id || '' that does not exist''
           FROM (SELECT DISTINCT account_id FROM written) w
           LEFT JOIN %1$I.ledger_account a ON a.id = w.account_id
          WHERE a.id IS NULL
         UNION ALL
         (SELECT ''transaction '' || transaction_id || '' does not balance''
            FROM written
           GROUP BY transaction_id
          HAVING SUM(CASE side WHEN ''D'' THEN amount_pence ELSE -amount_pence END) <> 0)
         LIMIT 1',
        TG_TABLE_SCHEMA)
      INTO problem;
    IF problem IS NOT NULL THEN
        RAISE EXCEPTION 'ledger entry %', problem USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;
ALTER TABLE ledger_account SET (fillfactor = 45);
"""

# The previous check: every entry of each transaction the statement touched.
BACKWARD = """
CREATE OR REPLACE FUNCTION ledger_entries_balanced() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    problem text;
BEGIN
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
ALTER TABLE ledger_account SET (fillfactor = 70);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("purse", "0014_payout_payee_and_delivered_at"),
    ]

    operations = [
        migrations.AlterField(
            model_name="ledgertransaction",
            name="key",
            field=models.CharField(blank=True, db_collation="C", max_length=200, null=True),
        ),
        migrations.AlterField(
            model_name="ledgertransaction",
            name="resolves",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="resolution",
                to="purse.ledgertransaction",
            ),
        ),
        migrations.AddConstraint(
            model_name="ledgertransaction",
            constraint=models.UniqueConstraint(
                condition=models.Q(("key__isnull", False)),
                fields=("key",),
                name="ledger_transaction_key_once",
            ),
        ),
        migrations.AddConstraint(
            model_name="ledgertransaction",
            constraint=models.UniqueConstraint(
                condition=models.Q(("resolves__isnull", False)),
                fields=("resolves",),
                name="ledger_transaction_resolves_once",
            ),
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
