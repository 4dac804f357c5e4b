"""Finalising many drafts at once on real parallel connections: every invoice gets one
number, the numbers are unique and consecutive, and a draft finalised twice at the same
moment is numbered once. Committed data (no wrapping transaction), cleaned up after."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, connections

from billing.invoicing.models import Invoice, InvoiceSeries
from billing.invoicing.services import invoice_draft, invoice_finalise
from core.errors import DomainError
from epurse.db import use_public_schema

from .support import licence_make, plan_make

DRAFTS = 20
RACERS_PER_DRAFT = 2


def _periods() -> list[dt.date]:
    return [dt.date(2019 + n // 12, n % 12 + 1, 1) for n in range(DRAFTS)]


def _purge(licence_ids: list[int], plan_ids: list[int]) -> None:
    """Issued invoices refuse DELETE by design; the test's own rows are removed with
    triggers off for this session (the test database's superuser may)."""
    use_public_schema()
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(
                "DELETE FROM core_auditentry WHERE action LIKE 'billing.%%' AND object_id IN "
                "(SELECT public_id::text FROM billing_invoice WHERE licence_id = ANY(%s))",
                [licence_ids],
            )
            cursor.execute(
                "DELETE FROM billing_invoiceline WHERE invoice_id IN "
                "(SELECT id FROM billing_invoice WHERE licence_id = ANY(%s))",
                [licence_ids],
            )
            cursor.execute("DELETE FROM billing_invoice WHERE licence_id = ANY(%s)", [licence_ids])
            cursor.execute("DELETE FROM billing_licence WHERE id = ANY(%s)", [licence_ids])
            cursor.execute("DELETE FROM billing_plan WHERE id = ANY(%s)", [plan_ids])
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")


@pytest.fixture
def drafts(committed, django_db_setup) -> Iterator[list[Invoice]]:
    tenant = django_db_setup["a"]
    plan = plan_make("race", holder_tiers=[])
    licence = licence_make(tenant, plan, starts_on=dt.date(2019, 1, 1))
    try:
        made = [invoice_draft(licence=licence, period=period, now=None) for period in _periods()]
        yield [invoice for invoice in made if invoice is not None]
    finally:
        _purge([licence.pk], [plan.pk])


def test_parallel_finalising_gives_unique_gap_free_numbers(drafts: list[Invoice]) -> None:
    assert len(drafts) == DRAFTS
    first = InvoiceSeries.objects.get(code=InvoiceSeries.INVOICES).next_number
    racers = [invoice for invoice in drafts for _ in range(RACERS_PER_DRAFT)]
    start = threading.Barrier(len(racers))
    lock = threading.Lock()
    numbered: list[str] = []
    refused: list[str] = []
    errors: list[BaseException] = []

    def finalise(invoice: Any) -> None:
        try:
            start.wait()
            issued = invoice_finalise(invoice=invoice)
            with lock:
                numbered.append(str(issued.number))
        except DomainError as error:
            with lock:
                refused.append(error.detail)
        except BaseException as error:  # reported below
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=finalise, args=(invoice,)) for invoice in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    expected = [f"INV-{n:06d}" for n in range(first, first + DRAFTS)]
    assert sorted(numbered) == expected  # one number each, none skipped, none twice
    assert len(refused) == DRAFTS * (RACERS_PER_DRAFT - 1)
    assert all("already been issued" in text for text in refused)
    stored = Invoice.objects.filter(pk__in=[d.pk for d in drafts])
    assert sorted(str(n) for n in stored.values_list("number", flat=True)) == expected
    assert set(stored.values_list("status", flat=True)) == {"open"}
    assert InvoiceSeries.objects.get(code=InvoiceSeries.INVOICES).next_number == first + DRAFTS
