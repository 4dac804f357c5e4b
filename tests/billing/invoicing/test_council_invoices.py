"""A council's administrators see their issued invoices, with what is still to pay, and
download them as PDF and CSV; drafts and other councils' invoices are not theirs."""

from __future__ import annotations

import datetime as dt

import pytest

from billing.invoicing.services import credit_note_issue, invoice_draft, invoice_finalise
from tests.conftest import signed_in_client

from .support import licence_make, plan_make

pytestmark = pytest.mark.django_db
FEBRUARY = dt.date(2026, 2, 1)
AFTER_FEBRUARY = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)


def _issued(tenant, fee: int):  # type: ignore[no-untyped-def]
    plan = plan_make(f"flat-{tenant.slug}", platform_fee_pence=fee, holder_tiers=[])
    licence = licence_make(tenant, plan)
    draft = invoice_draft(licence=licence, period=FEBRUARY, now=AFTER_FEBRUARY)
    assert draft is not None
    return invoice_finalise(invoice=draft, today=dt.date(2026, 3, 2))


def test_the_billing_page_lists_issued_invoices_to_download(tenant_a, tenant_b):
    invoice = _issued(tenant_a, 50000)  # £500 + £100 VAT
    theirs = _issued(tenant_b, 70000)
    client = signed_in_client(tenant_a, tenant_a.admin)

    page = client.get("/workspace/administration/billing/").content.decode()
    pdf = client.get(f"/workspace/administration/billing/invoices/{invoice.public_id}.pdf")
    csv = client.get(f"/workspace/administration/billing/invoices/{invoice.public_id}.csv")

    assert invoice.number in page
    assert theirs.number not in page
    assert "£600" in page
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"] == f'attachment; filename="{invoice.number}.pdf"'
    assert invoice.number in csv.content.decode()
    # Another council's invoice, and a kind of file that is not offered, are not found.
    other = f"/workspace/administration/billing/invoices/{theirs.public_id}.pdf"
    assert client.get(other).status_code == 404
    bad = f"/workspace/administration/billing/invoices/{invoice.public_id}.exe"
    assert client.get(bad).status_code == 404


def test_what_is_still_to_pay_falls_by_a_credit_note(tenant_a):
    invoice = _issued(tenant_a, 50000)
    credit_note_issue(invoice=invoice, lines=[("Outage in February", 10000)], reason="Outage")
    page = signed_in_client(tenant_a, tenant_a.admin).get("/workspace/administration/billing/")
    assert "£480" in page.content.decode()  # £600 less £100 + £20 VAT credited
