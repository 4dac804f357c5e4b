"""The daily invoicing task, in the public schema (it visits each tenant's schema
itself to meter usage)."""

from __future__ import annotations

import logging

from django.utils import timezone

from epurse.celery import PublicTask, app

from .metering import month_before, month_start
from .services import invoices_run, reminders_send

logger = logging.getLogger(__name__)


@app.task(base=PublicTask, soft_time_limit=1800, time_limit=1900)
def invoicing_daily() -> dict[str, int]:
    """Invoice last month and remind about overdue invoices. Each tenant is invoiced
    once a month and each reminder sent once, so the first run of a month drafts and
    finalises last month's invoices and later runs only any an earlier run missed."""
    today = timezone.localdate()
    run = invoices_run(period=month_before(month_start(today)))
    reminded = reminders_send(today=today)
    if run.drafted or run.finalised or reminded or run.failed:
        logger.info(
            "Invoices for %s: drafted %d, finalised %d, not billable %d, failed %d; "
            "reminders sent %d",
            f"{run.period:%Y-%m}",
            run.drafted,
            run.finalised,
            run.not_billable,
            len(run.failed),
            reminded,
        )
    return {
        "drafted": run.drafted,
        "finalised": run.finalised,
        "failed": len(run.failed),
        "reminded": reminded,
    }
