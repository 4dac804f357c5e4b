"""Liveness and readiness: is the process up, and can it reach what it needs?"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)


def database_ready() -> bool:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("readiness: database unreachable", exc_info=True)
        return False


def broker_ready() -> bool:
    from epurse.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        logger.warning("readiness: broker %s unreachable", _broker_kind(), exc_info=True)
        return False


def _broker_kind() -> str:
    return str(settings.CELERY_BROKER_URL).split(":", 1)[0]


def readiness() -> dict[str, str]:
    return {
        "database": "ok" if database_ready() else "unreachable",
        "broker": "ok" if broker_ready() else "unreachable",
    }
