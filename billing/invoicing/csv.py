"""An invoice or credit note as CSV for a council's finance system: one row per line,
each carrying the document's number, tax point, parties and VAT numbers, then the
line's quantity, unit price, net, VAT rate, VAT and gross in pounds (two decimals)."""

from __future__ import annotations

import csv
import io

from core.money import pounds_decimal

from .models import CreditNote, Invoice
from .pdf import rate_text

HEADER = [
    "document",
    "number",
    "issued_on",
    "tax_point",
    "period_start",
    "period_end",
    "supplier_name",
    "supplier_vat_number",
    "customer_name",
    "customer_vat_number",
    "purchase_order",
    "vat_treatment",
    "line",
    "description",
    "quantity",
    "unit_price",
    "net",
    "vat_rate",
    "vat",
    "gross",
]


def _cell(value: object) -> str:
    # Keep a spreadsheet from running a typed-in formula (CSV injection).
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _write(rows: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows([[_cell(v) for v in row] for row in rows])
    return out.getvalue()


def _head(invoice: Invoice) -> list[object]:
    return [
        invoice.period_start,
        invoice.period_end,
        invoice.supplier_name,
        invoice.supplier_vat_number,
        invoice.customer_name,
        invoice.customer_vat_number,
        invoice.purchase_order,
        invoice.vat_treatment,
    ]


def invoice_csv(invoice: Invoice) -> str:
    rows: list[list[object]] = [
        [
            "invoice",
            invoice.number or "",
            invoice.issued_on or "",
            invoice.issued_on or "",
            *_head(invoice),
            line.position,
            line.description,
            line.quantity,
            pounds_decimal(line.unit_price_pence),
            pounds_decimal(line.net_pence),
            rate_text(line.vat_rate),
            pounds_decimal(line.vat_pence),
            pounds_decimal(line.gross_pence),
        ]
        for line in invoice.lines.all()
    ]
    rows.append(
        [
            "invoice",
            invoice.number or "",
            invoice.issued_on or "",
            invoice.issued_on or "",
            *_head(invoice),
            "total",
            "Total",
            "",
            "",
            pounds_decimal(invoice.net_pence),
            "",
            pounds_decimal(invoice.vat_pence),
            pounds_decimal(invoice.gross_pence),
        ]
    )
    return _write(rows)


def credit_note_csv(note: CreditNote) -> str:
    invoice = note.invoice
    rows: list[list[object]] = [
        [
            "credit_note",
            note.number,
            note.issued_on,
            note.issued_on,
            *_head(invoice),
            line.position,
            line.description,
            1,
            pounds_decimal(line.net_pence),
            pounds_decimal(line.net_pence),
            rate_text(line.vat_rate),
            pounds_decimal(line.vat_pence),
            pounds_decimal(line.gross_pence),
        ]
        for line in note.lines.all()
    ]
    return _write(rows)
