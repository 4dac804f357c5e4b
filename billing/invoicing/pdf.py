"""Invoices and credit notes as tagged, accessible PDFs (PDF/UA-1), with every detail
HMRC asks of a full VAT invoice: number, date of issue and tax point, the supplier's
name, address and VAT number, the customer's name and address, each line's
description, quantity, unit price, net, VAT rate and VAT, and the totals.

WeasyPrint lays out an HTML template, given a URL fetcher that fetches nothing (as the
statements do): nothing typed into a licence can make the server fetch a URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.template import engines
from weasyprint import HTML, URLFetcher

from billing.models import Licence
from core.money import format_pence

from .models import CreditNote, Invoice

TEMPLATE = Path(__file__).parent / "templates" / "invoice_pdf.html"

TREATMENT_NOTES = {
    Licence.VatTreatment.STANDARD: "VAT is charged at the standard rate of 20%.",
    Licence.VatTreatment.ZERO: "Zero-rated supply: VAT is charged at 0%.",
    Licence.VatTreatment.OUTSIDE_SCOPE: "Outside the scope of UK VAT: no VAT is charged.",
}


def _date(day: Any) -> str:
    return f"{day:%-d %B %Y}" if day else ""


def rate_text(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


@dataclass(frozen=True)
class Row:
    description: str
    quantity: str
    unit_price: str
    net_pence: int
    rate: str
    vat_pence: int
    gross_pence: int


def invoice_rows(invoice: Invoice) -> list[Row]:
    rows = []
    for line in invoice.lines.all():
        unit = format_pence(line.unit_price_pence)
        if line.days:
            unit += " a month"
        rows.append(
            Row(
                description=line.description,
                quantity=f"{line.quantity:,}",
                unit_price=unit,
                net_pence=line.net_pence,
                rate=rate_text(line.vat_rate),
                vat_pence=line.vat_pence,
                gross_pence=line.gross_pence,
            )
        )
    return rows


def invoice_details(invoice: Invoice) -> list[tuple[str, str]]:
    details = [
        ("Invoice number", invoice.number or "Draft: not yet issued"),
        ("Date of issue and tax point", _date(invoice.issued_on)),
        ("Period", f"{_date(invoice.period_start)} to {_date(invoice.period_end)}"),
        ("Plan", invoice.plan_name),
        ("Payment due by", _date(invoice.due_on)),
        ("VAT treatment", Licence.VatTreatment(invoice.vat_treatment).label),
    ]
    if invoice.purchase_order:
        details.insert(1, ("Your purchase order", invoice.purchase_order))
    return details


def _pdf(context: dict[str, Any]) -> bytes:
    template = engines["django"].from_string(TEMPLATE.read_text())
    html = template.render(context)
    pdf = HTML(
        string=html, url_fetcher=URLFetcher(allowed_protocols=[], allow_redirects=False)
    ).write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
    assert pdf is not None  # noqa: S101 - write_pdf returns the bytes when given no target
    return bytes(pdf)


def invoice_pdf(invoice: Invoice) -> bytes:
    from django.conf import settings

    notes = [TREATMENT_NOTES[Licence.VatTreatment(invoice.vat_treatment)]]
    if invoice.number:
        notes.append(
            f"Please pay by BACS to {settings.BILLING_SUPPLIER_BANK}, quoting {invoice.number}."
        )
    return _pdf(
        {
            "title": f"VAT invoice {invoice.number or '(draft)'} from {invoice.supplier_name}",
            "heading": "VAT invoice" if invoice.number else "Draft invoice",
            "subheading": f"For {invoice.customer_name}, {_date(invoice.period_start)} to "
            f"{_date(invoice.period_end)}",
            "doc": invoice,
            "details": invoice_details(invoice),
            "caption": "What this invoice is for",
            "lines": invoice_rows(invoice),
            "notes": notes,
            "is_invoice": True,
        }
    )


def credit_note_rows(note: CreditNote) -> list[Row]:
    return [
        Row(
            description=line.description,
            quantity="1",
            unit_price=format_pence(line.net_pence),
            net_pence=line.net_pence,
            rate=rate_text(line.vat_rate),
            vat_pence=line.vat_pence,
            gross_pence=line.gross_pence,
        )
        for line in note.lines.all()
    ]


def credit_note_pdf(note: CreditNote) -> bytes:
    invoice = note.invoice
    return _pdf(
        {
            "title": f"Credit note {note.number} from {invoice.supplier_name}",
            "heading": "Credit note",
            "subheading": f"Against VAT invoice {invoice.number} of {_date(invoice.issued_on)}",
            "doc": _CreditNoteDoc(note),
            "details": [
                ("Credit note number", note.number),
                ("Date of issue", _date(note.issued_on)),
                ("Invoice credited", f"{invoice.number} of {_date(invoice.issued_on)}"),
                ("Reason", note.reason),
                ("VAT treatment", Licence.VatTreatment(invoice.vat_treatment).label),
            ],
            "caption": "What is credited",
            "lines": credit_note_rows(note),
            "notes": [TREATMENT_NOTES[Licence.VatTreatment(invoice.vat_treatment)]],
            "is_invoice": False,
        }
    )


class _CreditNoteDoc:
    """The invoice's parties with the credit note's number and totals."""

    def __init__(self, note: CreditNote) -> None:
        invoice = note.invoice
        self.number = note.number
        self.supplier_name = invoice.supplier_name
        self.supplier_address = invoice.supplier_address
        self.supplier_vat_number = invoice.supplier_vat_number
        self.customer_name = invoice.customer_name
        self.customer_address = invoice.customer_address
        self.customer_vat_number = invoice.customer_vat_number
        self.net_pence = note.net_pence
        self.vat_pence = note.vat_pence
        self.gross_pence = note.gross_pence
