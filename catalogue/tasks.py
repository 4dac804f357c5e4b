"""Periodic catalogue work, in the public schema (the registry lives there)."""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.utils import timezone

from epurse.celery import PublicTask, app

from .cqc import cqc_sync_changes
from .integrations.cqc import CqcClient
from .services.providers import vetting_expiry_reminders_send

logger = logging.getLogger(__name__)


# Fetching a day's changed locations at CQC's 600 a minute can take a while; a sync
# cut short leaves its state where the last complete day ended, and two never overlap.
@app.task(base=PublicTask, soft_time_limit=3 * 3600, time_limit=3 * 3600 + 300)
def cqc_sync() -> dict[str, Any] | None:
    if not settings.CQC_SYNC_ENABLED:
        logger.info("CQC sync skipped: CQC_SYNC_ENABLED is off")
        return None
    result = cqc_sync_changes(client=CqcClient.from_settings(), now=timezone.now())
    summary = asdict(result)
    summary["start"] = result.start.isoformat() if result.start else None
    summary["synced_until"] = result.synced_until.isoformat() if result.synced_until else None
    logger.info(
        "CQC sync %s: %d changed, %d created, %d updated, %d unchanged, %d missing, "
        "%d unreadable, %d rating changes, %d alerts; synced until %s",
        result.status,
        result.changed,
        result.created,
        result.updated,
        result.unchanged,
        len(result.missing),
        len(result.invalid),
        result.rating_changes,
        result.alerts,
        summary["synced_until"],
    )
    return summary


@app.task(base=PublicTask, soft_time_limit=600, time_limit=660)
def vetting_expiry_reminders() -> int:
    """Remind providers of vetting documents about to expire. Each reminder is sent
    once, so running twice in a day sends nothing more."""
    sent = vetting_expiry_reminders_send()
    logger.info("Vetting expiry reminders sent: %d", sent)
    return sent
