"""A month of invoicing: usage metered from the tenants' real ledgers, invoices drafted
and finalised with consecutive numbers, totals to the penny, PDF and CSV, credit notes,
payments, reminders and the operator's suspension; metering replayed bills nothing
twice; issued invoices never change."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core import mail
from django.db import DatabaseError, transaction
from django.utils import timezone

from billing.invoicing.csv import credit_note_csv, invoice_csv
from billing.invoicing.metering import month_before, month_start, period_bounds, usage_meter
from billing.invoicing.models import (
    CreditNote,
    Invoice,
    InvoiceLine,
    InvoiceSeries,
    Payment,
    Reminder,
    UsageRecord,
)
from billing.invoicing.pdf import credit_note_pdf, invoice_pdf
from billing.invoicing.selectors import invoice_balance
from billing.invoicing.services import (
    credit_note_issue,
    invoice_draft,
    invoice_finalise,
    invoice_price,
    invoices_run,
    licence_plan_change,
    payment_record,
    reminders_send,
)
from billing.models import Licence
from billing.services import licence_status_set
from core.errors import DomainError
from core.models import AuditEntry

from .support import captures_make, licence_make, plan_make

pytestmark = pytest.mark.django_db

THIS_MONTH = month_start(timezone.localdate())
AFTER_THIS_MONTH = period_bounds(THIS_MONTH)[1] + dt.timedelta(hours=1)
FEBRUARY = dt.date(2026, 2, 1)
AFTER_FEBRUARY = period_bounds(FEBRUARY)[1] + dt.timedelta(hours=1)


def _next(code: str) -> int:
    return InvoiceSeries.objects.get(code=code).next_number


def _lines(invoice: Invoice) -> list[tuple[str, int, int, int, int]]:
    return [
        (line.kind, line.quantity, line.unit_price_pence, line.net_pence, line.vat_pence)
        for line in invoice.lines.all()
    ]


def _drafted(licence: Licence, period: dt.date = FEBRUARY) -> Invoice:
    invoice = invoice_draft(licence=licence, period=period, now=AFTER_FEBRUARY)
    assert invoice is not None
    return invoice


def _issued(tenant, *, gross_net: int = 50000, **licence_fields) -> Invoice:
    """An issued invoice for February: the platform fee alone, `gross_net` before VAT."""
    plan = plan_make(f"flat-{tenant.slug}", platform_fee_pence=gross_net, holder_tiers=[])
    licence = licence_make(tenant, plan, **licence_fields)
    return invoice_finalise(invoice=_drafted(licence), today=dt.date(2026, 3, 1))


def test_a_month_is_metered_from_the_ledger_invoiced_and_numbered_in_order(tenant_a, tenant_b):
    # Given: Northmoor's budget holder was funded and three visits were captured this
    # month; Southbay has a licence but no activity.
    captures_make(tenant_a, 3)
    plan = plan_make()
    licence_make(tenant_a, plan)
    licence_make(tenant_b, plan)
    first = _next(InvoiceSeries.INVOICES)

    # When: the monthly run runs after the month has ended.
    run = invoices_run(period=THIS_MONTH, now=AFTER_THIS_MONTH)

    # Then: usage is read from the ledger: one funded purse, three captures.
    assert (run.metered, run.drafted, run.finalised, run.failed) == (2, 2, 2, [])
    usage = UsageRecord.objects.filter(tenant=tenant_a.tenant, period_start=THIS_MONTH)
    assert usage.filter(metric="holders").get().quantity == 1
    assert usage.filter(metric="holders").get().key == f"northmoor:holders:{THIS_MONTH:%Y-%m}"
    assert usage.filter(metric="orders").count() == 3
    assert all(r.key == f"northmoor:orders:{r.source_id}" for r in usage.filter(metric="orders"))

    a = Invoice.objects.get(tenant=tenant_a.tenant)
    b = Invoice.objects.get(tenant=tenant_b.tenant)
    assert _lines(a) == [
        ("platform_fee", 1, 50000, 50000, 10000),
        ("holders", 1, 300, 300, 60),
        ("orders", 3, 25, 75, 15),
    ]
    assert (a.net_pence, a.vat_pence, a.gross_pence) == (50375, 10075, 60450)
    assert _lines(b) == [("platform_fee", 1, 50000, 50000, 10000)]
    assert (b.net_pence, b.vat_pence, b.gross_pence) == (50000, 10000, 60000)
    for invoice in (a, b):
        lines = list(invoice.lines.all())
        assert invoice.net_pence == sum(line.net_pence for line in lines)
        assert invoice.vat_pence == sum(line.vat_pence for line in lines)
        assert invoice.gross_pence == invoice.net_pence + invoice.vat_pence
    # Consecutive numbers, in licence order; every field HMRC asks for is on it.
    assert [a.number, b.number] == [f"INV-{first:06d}", f"INV-{first + 1:06d}"]
    assert _next(InvoiceSeries.INVOICES) == first + 2
    assert (a.status, a.issued_on, a.due_on) == (
        "open",
        timezone.localdate(AFTER_THIS_MONTH),
        timezone.localdate(AFTER_THIS_MONTH) + dt.timedelta(days=30),
    )
    assert (a.supplier_name, a.supplier_vat_number) == ("ePurse Platform Ltd", "GB000000000")
    assert a.supplier_address.splitlines() == ["1 Example Street", "London", "EC1A 1AA"]
    assert (a.customer_name, a.customer_vat_number, a.purchase_order, a.vat_treatment) == (
        "Northmoor Borough Council Finance",
        "GB123456789",
        "PO-4471",
        "standard",
    )
    assert AuditEntry.objects.filter(action="billing.invoice_finalised").count() == 2

    # When the month's usage is replayed and the run runs again: nothing more.
    replay = usage_meter(tenant=tenant_a.tenant, period=THIS_MONTH, now=AFTER_THIS_MONTH)
    again = invoices_run(period=THIS_MONTH, now=AFTER_THIS_MONTH)

    assert (replay.orders_recorded, replay.holders_recorded, replay.holders) == (0, False, 1)
    assert (again.metered, again.drafted, again.finalised) == (0, 0, 0)
    assert UsageRecord.objects.filter(tenant=tenant_a.tenant).count() == 4
    assert Invoice.objects.count() == 2
    assert _next(InvoiceSeries.INVOICES) == first + 2
    assert invoice_draft(licence=a.licence, period=THIS_MONTH, now=AFTER_THIS_MONTH) == a


def test_during_the_month_captures_are_metered_but_not_the_holders(tenant_a):
    captures_make(tenant_a, 2)

    metered = usage_meter(tenant=tenant_a.tenant, period=THIS_MONTH)

    assert (metered.orders_recorded, metered.holders, metered.holders_recorded) == (2, None, False)
    assert not UsageRecord.objects.filter(metric="holders").exists()
    with pytest.raises(DomainError, match="has not ended yet"):
        invoice_draft(licence=licence_make(tenant_a, plan_make()), period=THIS_MONTH)
    assert not Invoice.objects.exists()


def test_a_licence_starting_mid_month_is_prorated_and_topped_up_to_the_minimum(tenant_a, tenant_b):
    # Given: Southbay's licence starts on 11 February (18 of 28 days); Northmoor has none.
    plan = plan_make(platform_fee_pence=50000, minimum_monthly_pence=60000)
    licence_make(tenant_b, plan, starts_on=dt.date(2026, 2, 11))

    run = invoices_run(period=FEBRUARY, now=AFTER_FEBRUARY)

    # Then: £500 x 18/28 = £321.428... -> £321.43 (half up); the minimum £600 x 18/28 =
    # £385.71; the difference is its own line. Northmoor is not invoiced.
    assert (run.drafted, run.finalised) == (1, 1)
    invoice = Invoice.objects.get()
    assert invoice.tenant_id == tenant_b.tenant.pk
    assert _lines(invoice) == [
        ("platform_fee", 1, 50000, 32143, 6429),
        ("minimum", 1, 6428, 6428, 1286),
    ]
    fee, minimum = invoice.lines.all()
    assert (fee.days, fee.period_days) == (18, 28)
    assert (
        fee.description == "Platform fee, Standard, 11 February to 28 February 2026 (18 of 28 days)"
    )
    assert minimum.description.startswith("Minimum monthly commitment of £385.71")
    assert (invoice.net_pence, invoice.vat_pence, invoice.gross_pence) == (38571, 7715, 46286)


def test_a_plan_change_mid_month_charges_each_plan_for_its_days(tenant_b):
    small = plan_make("small", platform_fee_pence=50000, holder_tiers=[], order_fee_pence=10)
    large = plan_make("large", platform_fee_pence=80000, holder_tiers=[], order_fee_pence=20)
    licence = licence_make(tenant_b, small)

    licence_plan_change(licence=licence, plan=large, effective_on=dt.date(2026, 2, 15), by=None)
    lines = invoice_price(licence=licence, period=FEBRUARY, holders=0, orders=7)

    assert [(line.description, line.net_pence) for line in lines] == [
        ("Platform fee, Small, 1 February to 14 February 2026 (14 of 28 days)", 25000),
        ("Platform fee, Large, 15 February to 28 February 2026 (14 of 28 days)", 40000),
        ("Captured orders", 140),  # at the plan in effect at the end of the month
    ]
    # January was on the small plan alone.
    january = invoice_price(licence=licence, period=dt.date(2026, 1, 1), holders=0, orders=0)
    assert [(line.description, line.net_pence) for line in january] == [
        ("Platform fee, Small", 50000)
    ]


def test_holder_tiers_are_graduated(tenant_b):
    tiers = [
        {"up_to": 100, "pence": 500},
        {"up_to": 200, "pence": 400},
        {"up_to": None, "pence": 300},
    ]
    licence = licence_make(tenant_b, plan_make(platform_fee_pence=0, holder_tiers=tiers))

    lines = invoice_price(licence=licence, period=FEBRUARY, holders=250, orders=0)

    assert [(ln.description, ln.quantity, ln.unit_price_pence, ln.net_pence) for ln in lines] == [
        ("Active budget holders 1 to 100", 100, 500, 50000),
        ("Active budget holders 101 to 200", 100, 400, 40000),
        ("Active budget holders 201 to 250", 50, 300, 15000),
    ]


def test_zero_rated_and_outside_scope_customers_pay_no_vat(tenant_a, tenant_b):
    zero = _issued(tenant_a, vat_treatment="zero")
    outside = _issued(tenant_b, vat_treatment="outside_scope")

    for invoice in (zero, outside):
        assert (invoice.net_pence, invoice.vat_pence, invoice.gross_pence) == (50000, 0, 50000)
        assert [line.vat_rate for line in invoice.lines.all()] == [0]
    assert (zero.vat_treatment, outside.vat_treatment) == ("zero", "outside_scope")


def test_orders_in_the_trial_days_are_not_billed(tenant_b):
    licence = licence_make(
        tenant_b, plan_make(), status="trial", trial_ends_on=dt.date(2026, 2, 10)
    )
    zone = timezone.get_default_timezone()
    for day in (5, 10, 11, 20):  # captured in the trial (5th, 10th) and after it
        UsageRecord.objects.create(
            tenant=tenant_b.tenant,
            metric="orders",
            period_start=FEBRUARY,
            quantity=1,
            key=f"southbay:orders:test-{day}",
            occurred_at=dt.datetime(2026, 2, day, 12, tzinfo=zone),
        )

    invoice = _drafted(licence)

    assert _lines(invoice) == [
        ("platform_fee", 1, 50000, 32143, 6429),  # 18 of 28 days
        ("orders", 2, 25, 50, 10),
    ]


def test_a_tenant_that_cannot_be_metered_does_not_hold_up_the_others(tenant_b):
    from tenants.models import Tenant

    plan = plan_make()
    ghost = Tenant.objects.create(schema_name="ghostshire", name="Ghostshire", kind="council")
    Licence.objects.create(tenant=ghost, plan=plan, status="active", starts_on=dt.date(2026, 1, 1))
    licence_make(tenant_b, plan)

    run = invoices_run(period=FEBRUARY, now=AFTER_FEBRUARY)

    assert run.failed == ["ghostshire: could not be metered"]
    assert list(Invoice.objects.values_list("tenant__schema_name", flat=True)) == ["southbay"]
    assert not UsageRecord.objects.filter(tenant=ghost).exists()


def test_a_trial_month_is_not_invoiced(tenant_b):
    licence_make(tenant_b, plan_make(), status="trial", trial_ends_on=dt.date(2026, 3, 5))

    run = invoices_run(period=FEBRUARY, now=AFTER_FEBRUARY)

    assert (run.drafted, run.not_billable) == (0, 1)
    assert not Invoice.objects.exists()


def test_a_number_taken_by_a_finalise_that_rolls_back_is_given_back(tenant_a, tenant_b):
    plan = plan_make(holder_tiers=[])
    draft_a = _drafted(licence_make(tenant_a, plan))
    draft_b = _drafted(licence_make(tenant_b, plan))
    first = _next(InvoiceSeries.INVOICES)

    def finalise_then_fail() -> None:
        with transaction.atomic():
            invoice_finalise(invoice=draft_a)
            raise RuntimeError("the transaction fails after numbering")

    with pytest.raises(RuntimeError):
        finalise_then_fail()
    issued = invoice_finalise(invoice=draft_b)

    assert issued.number == f"INV-{first:06d}"
    draft_a.refresh_from_db()
    assert (draft_a.status, draft_a.number) == ("draft", None)
    with pytest.raises(DomainError, match="already been issued"):
        invoice_finalise(invoice=issued)


def test_an_issued_invoice_and_its_lines_never_change(tenant_a):
    invoice = _issued(tenant_a)
    line = invoice.lines.get()

    refused = [
        lambda: Invoice.objects.filter(pk=invoice.pk).update(
            net_pence=1, vat_pence=0, gross_pence=1
        ),
        lambda: Invoice.objects.filter(pk=invoice.pk).update(customer_name="Someone else"),
        lambda: Invoice.objects.filter(pk=invoice.pk).update(status="draft", number=None),
        lambda: Invoice.objects.filter(pk=invoice.pk).delete(),
        lambda: InvoiceLine.objects.filter(pk=line.pk).update(description="Changed"),
        lambda: InvoiceLine.objects.filter(pk=line.pk).delete(),
        lambda: InvoiceLine.objects.create(
            invoice=invoice,
            position=2,
            kind="orders",
            description="Added later",
            quantity=1,
            unit_price_pence=100,
            net_pence=100,
            vat_rate=0,
            vat_pence=0,
            gross_pence=100,
        ),
    ]
    for change in refused:
        with pytest.raises(DatabaseError, match=r"not allowed|cannot change"), transaction.atomic():
            change()

    invoice.refresh_from_db()
    assert (invoice.net_pence, invoice.customer_name, invoice.lines.count()) == (
        50000,
        "Northmoor Borough Council Finance",
        1,
    )
    # Only being paid changes it.
    Invoice.objects.filter(pk=invoice.pk).update(status="paid", paid_at=timezone.now())


def test_the_invoice_renders_as_pdf_and_csv(tenant_a):
    captures_make(tenant_a, 1)
    licence_make(tenant_a, plan_make())
    invoices_run(period=THIS_MONTH, now=AFTER_THIS_MONTH)
    invoice = Invoice.objects.get()

    pdf = invoice_pdf(invoice)
    rows = list(csv.DictReader(io.StringIO(invoice_csv(invoice))))

    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 5000
    assert [row["description"] for row in rows] == [
        "Platform fee, Standard",
        "Active budget holders 1 to 1",
        "Captured orders",
        "Total",
    ]
    assert rows[0]["number"] == invoice.number
    assert rows[0]["supplier_vat_number"] == "GB000000000"
    assert rows[0]["customer_vat_number"] == "GB123456789"
    assert rows[0]["tax_point"] == str(invoice.issued_on)
    assert (rows[2]["quantity"], rows[2]["unit_price"], rows[2]["net"], rows[2]["vat"]) == (
        "1",
        "0.25",
        "0.25",
        "0.05",
    )
    assert (rows[-1]["net"], rows[-1]["vat"], rows[-1]["gross"]) == ("503.25", "100.65", "603.90")


def test_a_credit_note_reduces_what_is_due_and_never_exceeds_it(tenant_a):
    invoice = _issued(tenant_a)  # £500 + £100 VAT
    first = _next(InvoiceSeries.CREDIT_NOTES)

    note = credit_note_issue(
        invoice=invoice, lines=[("Service outage, 3 days", 10000)], reason="Outage credit"
    )

    assert (note.number, note.net_pence, note.vat_pence, note.gross_pence) == (
        f"CN-{first:06d}",
        10000,
        2000,
        12000,
    )
    assert invoice_balance(invoice=invoice).due_pence == 48000
    assert credit_note_pdf(note).startswith(b"%PDF")
    assert "Service outage, 3 days" in credit_note_csv(note)

    # More than the £480 still due is refused, and takes no number.
    with pytest.raises(DomainError, match="more than the £480 still due"):
        credit_note_issue(invoice=invoice, lines=[("Too much", 40001)], reason="Goodwill")
    assert CreditNote.objects.count() == 1
    assert _next(InvoiceSeries.CREDIT_NOTES) == first + 1
    with pytest.raises(DatabaseError, match="not allowed"), transaction.atomic():
        CreditNote.objects.filter(pk=note.pk).update(reason="Changed")

    # Crediting the rest settles the invoice.
    credit_note_issue(invoice=invoice, lines=[("The rest", 40000)], reason="Cancelled month")
    invoice.refresh_from_db()
    assert (invoice.status, invoice_balance(invoice=invoice).due_pence) == ("paid", 0)


def test_a_payment_by_bacs_marks_the_invoice_paid_once(tenant_a):
    invoice = _issued(tenant_a)  # £600 due

    with pytest.raises(DomainError, match="more than the £600 due"):
        payment_record(
            invoice=invoice, amount_pence=60001, reference="BACS 1", received_on=dt.date(2026, 3, 9)
        )
    payment_record(
        invoice=invoice, amount_pence=20000, reference="BACS 1", received_on=dt.date(2026, 3, 9)
    )
    invoice.refresh_from_db()
    assert (invoice.status, invoice_balance(invoice=invoice).due_pence) == ("open", 40000)

    # The same remittance recorded twice counts once; a different amount under it is refused.
    payment_record(
        invoice=invoice, amount_pence=20000, reference="BACS 1", received_on=dt.date(2026, 3, 9)
    )
    with pytest.raises(DomainError, match="already recorded"):
        payment_record(
            invoice=invoice, amount_pence=100, reference="BACS 1", received_on=dt.date(2026, 3, 9)
        )
    payment_record(
        invoice=invoice, amount_pence=40000, reference="BACS 2", received_on=dt.date(2026, 3, 20)
    )

    invoice.refresh_from_db()
    assert Payment.objects.filter(invoice=invoice).count() == 2
    assert (invoice.status, invoice_balance(invoice=invoice).due_pence) == ("paid", 0)
    assert invoice.paid_at is not None
    with pytest.raises(DomainError):
        payment_record(
            invoice=invoice, amount_pence=1, reference="BACS 3", received_on=dt.date(2026, 3, 21)
        )


def test_reminders_at_7_14_and_30_days_make_the_licence_past_due_never_suspended(
    tenant_a, django_capture_on_commit_callbacks
):
    invoice = _issued(tenant_a)  # due 31 March 2026
    due = dt.date(2026, 3, 31)
    assert invoice.due_on == due

    def remind(days: int) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return reminders_send(today=due + dt.timedelta(days=days))

    assert remind(6) == 0
    assert remind(7) == 1
    assert remind(8) == 0
    assert remind(14) == 1
    assert remind(29) == 0
    assert remind(30) == 1
    assert remind(90) == 0

    assert list(Reminder.objects.values_list("days_overdue", flat=True)) == [7, 14, 30]
    assert [m.subject for m in mail.outbox] == [
        f"Invoice {invoice.number} is 7 days overdue",
        f"Invoice {invoice.number} is 14 days overdue",
        f"Invoice {invoice.number} is 30 days overdue",
    ]
    assert mail.outbox[0].to == ["accounts@northmoor.example"]
    assert "£600 is still due" in mail.outbox[0].body
    licence = Licence.objects.get(tenant=tenant_a.tenant)
    assert licence.status == "past_due"  # not suspended: that is the operator's decision

    # Paying in full brings the licence back into good standing.
    payment_record(invoice=invoice, amount_pence=60000, reference="LATE", received_on=due)
    licence.refresh_from_db()
    assert licence.status == "active"
    with pytest.raises(DomainError, match="cannot become suspended"):
        licence_status_set(licence=licence, status="suspended", reason="Unpaid", by=None)


def test_the_operator_may_suspend_a_licence_past_due(tenant_a):
    _issued(tenant_a)  # due 31 March 2026
    reminders_send(today=dt.date(2026, 3, 31) + dt.timedelta(days=30))
    licence = Licence.objects.get(tenant=tenant_a.tenant)
    assert licence.status == "past_due"

    licence_status_set(licence=licence, status="suspended", reason="Unpaid since March", by=None)

    licence.refresh_from_db()
    assert licence.status == "suspended"
    assert AuditEntry.objects.filter(
        action="billing.licence_status_changed", detail__to="suspended"
    ).exists()


def test_the_daily_task_invoices_last_month_once(tenant_b):
    from billing.invoicing.tasks import invoicing_daily

    licence_make(tenant_b, plan_make())

    first = invoicing_daily.apply().get()
    second = invoicing_daily.apply().get()

    assert first == {"drafted": 1, "finalised": 1, "failed": 0, "reminded": 0}
    assert second == {"drafted": 0, "finalised": 0, "failed": 0, "reminded": 0}
    assert Invoice.objects.get().period_start == month_before(THIS_MONTH)
