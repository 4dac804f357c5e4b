"""Housekeeping run by beat in every schema: sessions and sign-in throttles that have
expired. Tenant tasks are the default base: each run touches only its tenant."""

from epurse.celery import PublicTask, app

from . import services


@app.task
def sessions_clear_expired() -> int:
    services.login_throttles_clear_spent()
    return services.sessions_clear_expired()


@app.task(base=PublicTask)
def public_sessions_clear_expired() -> int:
    services.login_throttles_clear_spent()
    return services.sessions_clear_expired()
