"""Housekeeping run by beat in every schema."""

from epurse.celery import PublicTask, app

from .services import sessions_clear_expired as _sessions_clear_expired


@app.task
def sessions_clear_expired() -> int:
    """Tenant task (the default base): clears the sending tenant's schema only."""
    return _sessions_clear_expired()


@app.task(base=PublicTask)
def public_sessions_clear_expired() -> int:
    return _sessions_clear_expired()
