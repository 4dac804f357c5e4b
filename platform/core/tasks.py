"""Housekeeping of the core tables, by beat, in every schema."""

from epurse.celery import PublicTask, app

from .idempotency import idempotency_keys_purge


@app.task
def idempotency_keys_purge_task() -> int:
    return idempotency_keys_purge()


@app.task(base=PublicTask)
def public_idempotency_keys_purge() -> int:
    return idempotency_keys_purge()
