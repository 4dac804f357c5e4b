"""Usage records, invoices, credit notes, payments, reminders; the numbering series; and
the triggers that keep issued invoices and credit notes as they were issued.

A finalised invoice may change only its status (to paid) and paid_at; nor may it be
deleted, nor its lines added, changed or deleted. Credit notes and their lines are never
changed or deleted. The series rows the numbers come from are seeded here.
"""

import uuid

import django.db.models.deletion
import django.db.models.expressions
from django.db import migrations, models

FORWARD = """
CREATE OR REPLACE FUNCTION billing_invoice_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'draft' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'UPDATE'
       AND NEW.status IN ('open', 'paid')
       AND (to_jsonb(NEW) - 'status' - 'paid_at') = (to_jsonb(OLD) - 'status' - 'paid_at') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'invoice % is issued: % is not allowed', OLD.number, TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER billing_invoice_issued_unchanged
    BEFORE UPDATE OR DELETE ON billing_invoice
    FOR EACH ROW EXECUTE FUNCTION billing_invoice_guard();

CREATE OR REPLACE FUNCTION billing_invoiceline_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    invoice_status text;
BEGIN
    SELECT status INTO invoice_status FROM billing_invoice
     WHERE id = CASE WHEN TG_OP = 'INSERT' THEN NEW.invoice_id ELSE OLD.invoice_id END;
    IF invoice_status IS DISTINCT FROM 'draft'
       OR (TG_OP = 'UPDATE' AND NEW.invoice_id <> OLD.invoice_id) THEN
        RAISE EXCEPTION 'the lines of an issued invoice cannot change: % is not allowed', TG_OP
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;

CREATE TRIGGER billing_invoiceline_issued_unchanged
    BEFORE INSERT OR UPDATE OR DELETE ON billing_invoiceline
    FOR EACH ROW EXECUTE FUNCTION billing_invoiceline_guard();

CREATE OR REPLACE FUNCTION billing_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% never changes once issued: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER billing_creditnote_unchanged
    BEFORE UPDATE OR DELETE ON billing_creditnote
    FOR EACH ROW EXECUTE FUNCTION billing_refuse_change();

CREATE TRIGGER billing_creditnoteline_unchanged
    BEFORE UPDATE OR DELETE ON billing_creditnoteline
    FOR EACH ROW EXECUTE FUNCTION billing_refuse_change();

INSERT INTO billing_invoiceseries (code, next_number) VALUES ('INV', 1), ('CN', 1)
    ON CONFLICT (code) DO NOTHING;
"""

BACKWARD = """
DROP TRIGGER IF EXISTS billing_creditnoteline_unchanged ON billing_creditnoteline;
DROP TRIGGER IF EXISTS billing_creditnote_unchanged ON billing_creditnote;
DROP TRIGGER IF EXISTS billing_invoiceline_issued_unchanged ON billing_invoiceline;
DROP TRIGGER IF EXISTS billing_invoice_issued_unchanged ON billing_invoice;
DROP FUNCTION IF EXISTS billing_refuse_change();
DROP FUNCTION IF EXISTS billing_invoiceline_guard();
DROP FUNCTION IF EXISTS billing_invoice_guard();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0002_seed_plans"),
        ("tenants", "0002_tenant_payout_gateway"),
    ]

    operations = [
        migrations.CreateModel(
            name="InvoiceSeries",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.CharField(max_length=10, unique=True)),
                ("next_number", models.PositiveBigIntegerField(default=1)),
            ],
            options={
                "verbose_name_plural": "invoice series",
            },
        ),
        migrations.CreateModel(
            name="Invoice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("public_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("period_start", models.DateField()),
                ("period_end", models.DateField()),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("open", "Issued, awaiting payment"),
                            ("paid", "Paid"),
                        ],
                        default="draft",
                        max_length=10,
                    ),
                ),
                ("number", models.CharField(blank=True, max_length=30, null=True, unique=True)),
                ("issued_on", models.DateField(blank=True, null=True)),
                ("due_on", models.DateField(blank=True, null=True)),
                ("supplier_name", models.CharField(blank=True, max_length=200)),
                ("supplier_address", models.TextField(blank=True)),
                ("supplier_vat_number", models.CharField(blank=True, max_length=20)),
                ("customer_name", models.CharField(max_length=200)),
                ("customer_address", models.TextField(blank=True)),
                ("customer_vat_number", models.CharField(blank=True, max_length=20)),
                ("purchase_order", models.CharField(blank=True, max_length=100)),
                ("vat_treatment", models.CharField(max_length=15)),
                ("plan_name", models.CharField(max_length=200)),
                ("net_pence", models.BigIntegerField(default=0)),
                ("vat_pence", models.BigIntegerField(default=0)),
                ("gross_pence", models.BigIntegerField(default=0)),
                ("finalised_at", models.DateTimeField(blank=True, null=True)),
                ("paid_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "licence",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="invoices",
                        to="billing.licence",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="invoices",
                        to="tenants.tenant",
                    ),
                ),
                (
                    "series",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="billing.invoiceseries",
                    ),
                ),
            ],
            options={
                "ordering": ["-period_start", "tenant__name"],
            },
        ),
        migrations.CreateModel(
            name="CreditNote",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("public_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("number", models.CharField(max_length=30, unique=True)),
                ("issued_on", models.DateField()),
                ("reason", models.CharField(max_length=300)),
                ("net_pence", models.BigIntegerField()),
                ("vat_pence", models.BigIntegerField()),
                ("gross_pence", models.BigIntegerField()),
                ("created_by_id", models.UUIDField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "invoice",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="credit_notes",
                        to="billing.invoice",
                    ),
                ),
                (
                    "series",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, to="billing.invoiceseries"
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="Payment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("public_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("amount_pence", models.BigIntegerField()),
                ("reference", models.CharField(max_length=100)),
                ("received_on", models.DateField()),
                ("recorded_by_id", models.UUIDField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "invoice",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="payments",
                        to="billing.invoice",
                    ),
                ),
            ],
            options={
                "ordering": ["received_on", "pk"],
            },
        ),
        migrations.CreateModel(
            name="PlanChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("effective_on", models.DateField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "from_plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="billing.plan",
                    ),
                ),
                (
                    "licence",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="plan_changes",
                        to="billing.licence",
                    ),
                ),
                (
                    "plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="billing.plan",
                    ),
                ),
            ],
            options={
                "ordering": ["licence", "effective_on", "pk"],
            },
        ),
        migrations.CreateModel(
            name="Reminder",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("days_overdue", models.PositiveSmallIntegerField()),
                ("sent_to", models.EmailField(blank=True, max_length=254)),
                ("sent_at", models.DateTimeField(auto_now_add=True)),
                (
                    "invoice",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reminders",
                        to="billing.invoice",
                    ),
                ),
            ],
            options={
                "ordering": ["invoice", "days_overdue"],
            },
        ),
        migrations.CreateModel(
            name="UsageRecord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "metric",
                    models.CharField(
                        choices=[
                            ("holders", "Active budget holders"),
                            ("orders", "Captured orders"),
                        ],
                        max_length=10,
                    ),
                ),
                ("period_start", models.DateField()),
                ("quantity", models.PositiveIntegerField()),
                ("key", models.CharField(db_collation="C", max_length=200, unique=True)),
                ("source_id", models.UUIDField(blank=True, null=True)),
                ("occurred_at", models.DateTimeField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="usage_records",
                        to="tenants.tenant",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="CreditNoteLine",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField()),
                ("description", models.CharField(max_length=300)),
                ("net_pence", models.BigIntegerField()),
                ("vat_rate", models.DecimalField(decimal_places=4, max_digits=5)),
                ("vat_pence", models.BigIntegerField()),
                ("gross_pence", models.BigIntegerField()),
                (
                    "credit_note",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="lines",
                        to="billing.creditnote",
                    ),
                ),
            ],
            options={
                "ordering": ["credit_note", "position"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("net_pence__gt", 0),
                            (
                                "gross_pence",
                                django.db.models.expressions.CombinedExpression(
                                    models.F("net_pence"), "+", models.F("vat_pence")
                                ),
                            ),
                        ),
                        name="billing_creditnoteline_amounts",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="InvoiceLine",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField()),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("platform_fee", "Platform fee"),
                            ("holders", "Active budget holders"),
                            ("orders", "Captured orders"),
                            ("minimum", "Minimum monthly commitment"),
                        ],
                        max_length=15,
                    ),
                ),
                ("description", models.CharField(max_length=300)),
                ("quantity", models.PositiveIntegerField()),
                ("unit_price_pence", models.BigIntegerField()),
                ("days", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("period_days", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("net_pence", models.BigIntegerField()),
                ("vat_rate", models.DecimalField(decimal_places=4, max_digits=5)),
                ("vat_pence", models.BigIntegerField()),
                ("gross_pence", models.BigIntegerField()),
                (
                    "invoice",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="lines",
                        to="billing.invoice",
                    ),
                ),
            ],
            options={
                "ordering": ["invoice", "position"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("invoice", "position"), name="billing_invoiceline_position_once"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "gross_pence",
                                django.db.models.expressions.CombinedExpression(
                                    models.F("net_pence"), "+", models.F("vat_pence")
                                ),
                            )
                        ),
                        name="billing_invoiceline_gross_is_net_plus_vat",
                    ),
                ],
            },
        ),
        migrations.AddConstraint(
            model_name="invoice",
            constraint=models.UniqueConstraint(
                fields=("tenant", "period_start"), name="billing_invoice_once_per_period"
            ),
        ),
        migrations.AddConstraint(
            model_name="invoice",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("number__isnull", True), ("status", "draft")),
                    models.Q(
                        models.Q(("status", "draft"), _negated=True),
                        ("number__isnull", False),
                        ("issued_on__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="billing_invoice_numbered_when_issued",
            ),
        ),
        migrations.AddConstraint(
            model_name="invoice",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "gross_pence",
                        django.db.models.expressions.CombinedExpression(
                            models.F("net_pence"), "+", models.F("vat_pence")
                        ),
                    )
                ),
                name="billing_invoice_gross_is_net_plus_vat",
            ),
        ),
        migrations.AddConstraint(
            model_name="creditnote",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("net_pence__gt", 0),
                    (
                        "gross_pence",
                        django.db.models.expressions.CombinedExpression(
                            models.F("net_pence"), "+", models.F("vat_pence")
                        ),
                    ),
                ),
                name="billing_creditnote_amounts",
            ),
        ),
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.UniqueConstraint(
                fields=("invoice", "reference"), name="billing_payment_reference_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount_pence__gt", 0)), name="billing_payment_positive"
            ),
        ),
        migrations.AddConstraint(
            model_name="reminder",
            constraint=models.UniqueConstraint(
                fields=("invoice", "days_overdue"), name="billing_reminder_once_per_stage"
            ),
        ),
        migrations.AddIndex(
            model_name="usagerecord",
            index=models.Index(
                fields=["tenant", "period_start", "metric"], name="billing_usage_period"
            ),
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
