"""Periodic work on people's plans, in each tenant's schema (tasks are tenant tasks
unless they say otherwise)."""

from __future__ import annotations

import logging

from django.utils import timezone

from epurse.celery import app

from .orders.services import holds_expire, weekly_orders_extend
from .services.funding import topups_run
from .services.plans import budgets_roll
from .services.reviews import review_reminders_send

logger = logging.getLogger(__name__)


@app.task(soft_time_limit=600, time_limit=660)
def review_reminders() -> int:
    """Tell care managers about reviews due within 14 days. Each review is announced
    once, so running twice in a day sends nothing more."""
    sent = review_reminders_send()
    logger.info("Review reminders sent: %d", sent)
    return sent


@app.task(soft_time_limit=600, time_limit=660)
def budgets_change_over() -> dict[str, int]:
    """End budgets whose last day has passed and start those scheduled for today. Run
    hourly: the first run after midnight does the day's change-over, the rest find
    nothing to do."""
    ended, started = budgets_roll()
    if ended or started:
        logger.info("Budgets ended: %d, started: %d", ended, started)
    return {"ended": ended, "started": started}


@app.task(soft_time_limit=1800, time_limit=1900)
def topups_pay() -> dict[str, int]:
    """Pay the top-ups due today (and any an earlier run missed). Each cycle is paid
    once, so running it hourly pays a new day's top-ups early and nothing twice."""
    run = topups_run(on=timezone.localdate())
    if run.topups:
        logger.info("Top-ups paid: %d, %d pence", run.topups, run.total_pence)
    return {"topups": run.topups, "total_pence": run.total_pence}


@app.task(soft_time_limit=1800, time_limit=1900)
def orders_upkeep() -> dict[str, int]:
    """Release the money of visits nobody reported on, and keep weekly orders booked
    four weeks ahead as far as each purse allows. Safe to run often."""
    expired = holds_expire()
    held = weekly_orders_extend()
    if expired or held:
        logger.info("Holds expired: %d; weekly visits newly held: %d", expired, held)
    return {"expired": expired, "held": held}
