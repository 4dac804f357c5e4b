"""The statement as CSV (the documented columns, totals that add up) and as an
accessible PDF (tagged PDF/UA, English, titled, with the closing balance in words)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from pypdf import PdfReader

from core.money import format_pence
from purse.statements.csv import COLUMNS, statement_csv
from purse.statements.pdf import statement_pdf
from purse.statements.selectors import month_of, statement_for

from .support import history

pytestmark = pytest.mark.django_db


@pytest.fixture
def statement(tenant_a):
    h = history(tenant_a)
    start, end = month_of(timezone.localdate())
    with tenant_context(tenant_a.tenant):
        return statement_for(person=h.m.person, start=start, end=end)


def test_the_csv_has_the_documented_columns_and_its_rows_add_up(statement):
    rows = list(csv.DictReader(io.StringIO(statement_csv(statement))))
    header = statement_csv(statement).splitlines()[0].split(",")

    assert header == COLUMNS
    assert [r["type"] for r in rows] == ["opening", *(x.kind for x in statement.lines), "closing"]
    opening, lines, closing = rows[0], rows[1:-1], rows[-1]
    assert (int(opening["available_pence"]), int(opening["total_pence"])) == (0, 0)

    # Each row's balances follow from the row before it
    available, total = 0, 0
    for row in lines:
        money_in, money_out = int(row["money_in_pence"]), int(row["money_out_pence"])
        available += money_in - money_out - int(row["held_change_pence"])
        total += money_in - money_out
        assert (int(row["available_pence"]), int(row["total_pence"])) == (available, total)
        # The pounds columns are the pence columns, exactly
        for name in ("money_in", "money_out", "held_change", "available", "total"):
            assert Decimal(row[name]) * 100 == int(row[f"{name}_pence"])

    # The closing row holds the period's totals and the closing balances
    assert sum(int(r["money_in_pence"]) for r in lines) == int(closing["money_in_pence"]) == 27700
    assert sum(int(r["money_out_pence"]) for r in lines) == int(closing["money_out_pence"]) == 7700
    assert (int(closing["available_pence"]), int(closing["total_pence"])) == (16400, 20000)
    assert closing["available"] == "164.00"
    paid = next(r for r in lines if r["type"] == "paid")
    assert paid["order_reference"].startswith("ORD-")
    assert (paid["service"], paid["money_out"]) == ("Help at home", "27.00")


def test_csv_cells_a_spreadsheet_would_run_are_made_plain(statement):
    from dataclasses import replace

    odd = replace(statement.lines[0], description="=HYPERLINK(1)")
    text = statement_csv(replace(statement, lines=(odd,)))
    assert list(csv.reader(io.StringIO(text)))[2][2] == "'=HYPERLINK(1)"


def test_the_pdf_is_a_tagged_accessible_document_with_the_closing_balance(statement):
    pdf = statement_pdf(statement)

    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    closing = (
        f"{format_pence(statement.closing.total_pence)} "
        f"({format_pence(statement.closing.available_pence)} to spend)"
    )
    assert closing == "£200 (£164 to spend)"
    assert closing in text
    assert "Budget statement for Ada Lovelace" in text
    assert "Taken back: one-off payment from Northmoor Borough Council" in text
    catalog: Any = reader.trailer["/Root"]
    assert catalog["/Lang"] == "en-GB"
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    assert reader.metadata is not None
    assert str(reader.metadata.title).startswith("Budget statement for Ada Lovelace, ")
    # The PDF/UA identification, in its XMP metadata
    assert b"pdfuaid:part" in catalog["/Metadata"].get_object().get_data()
