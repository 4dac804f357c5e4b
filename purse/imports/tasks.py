"""The import itself runs in the council's schema on a worker: 10,000 rows take longer
than a page should wait."""

from __future__ import annotations

import logging

from epurse.celery import app

from .services import import_run

logger = logging.getLogger(__name__)


# Each batch commits on its own and a run skips what is imported, so a task cut short
# (or delivered twice) is finished by the next run and imports nothing twice.
@app.task(soft_time_limit=1800, time_limit=1900)
def import_rows(import_id: int) -> dict[str, int]:
    done = import_run(import_id=import_id)
    logger.info("Import %d: %d rows imported", import_id, done.rows_imported)
    return {"imported": done.rows_imported, "skipped": done.rows_skipped}
