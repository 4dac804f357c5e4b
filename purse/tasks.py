"""Periodic work on people's plans, in each tenant's schema (tasks are tenant tasks
unless they say otherwise)."""

from __future__ import annotations

import logging

from django.utils import timezone

from epurse.celery import PublicTask, app

from .orders.services import deliveries_confirm_due, holds_expire, weekly_orders_extend
from .payouts import services as payouts
from .payouts import webhooks
from .services.plans import budgets_roll
from .services.reviews import review_reminders_send
from .statements.services import statements_monthly as statements_issue_monthly
from .surplus import services as surplus
from .topups.services import topups_pay_due

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
    """Pay the top-ups due today (and any an earlier run missed), or, where the
    council's rules ask finance to approve each run, leave a preview for them. Each
    cycle is paid once, so running it hourly pays a new day's top-ups early and
    nothing twice."""
    run = topups_pay_due(on=timezone.localdate())
    if run is None:
        return {"topups": 0, "total_pence": 0, "previewed": 0}
    if run.status == run.Status.PREVIEWED:
        logger.info(
            "Top-up run waiting for approval: %d, %d pence", run.due_count, run.due_total_pence
        )
        return {"topups": 0, "total_pence": 0, "previewed": run.due_count}
    logger.info("Top-ups paid: %d, %d pence", run.paid_count, run.paid_total_pence)
    return {"topups": run.paid_count, "total_pence": run.paid_total_pence, "previewed": 0}


@app.task(soft_time_limit=1800, time_limit=1900)
def orders_upkeep() -> dict[str, int]:
    """Release the money of visits nobody reported on, keep weekly orders booked four
    weeks ahead as far as each purse allows, and pay for deliveries nobody confirmed
    or disputed within a week. Safe to run often."""
    expired = holds_expire()
    held = weekly_orders_extend()
    confirmed = deliveries_confirm_due()
    if expired or held or confirmed:
        logger.info(
            "Holds expired: %d; weekly visits newly held: %d; deliveries taken as confirmed: %d",
            expired,
            held,
            confirmed,
        )
    return {"expired": expired, "held": held, "confirmed": confirmed}


@app.task(soft_time_limit=1800, time_limit=1900)
def surplus_daily() -> dict[str, int]:
    """Issue notices of money over the limit, then take back what is due. A notice is
    issued once and recovered once, so running it again the same day does nothing."""
    run = surplus.surplus_daily(on=timezone.localdate())
    if run.issued or run.recovered or run.lapsed:
        logger.info(
            "Surplus notices issued: %d; recovered: %d (%d pence); lapsed: %d",
            run.issued,
            run.recovered,
            run.recovered_pence,
            run.lapsed,
        )
    return {
        "issued": run.issued,
        "recovered": run.recovered,
        "recovered_pence": run.recovered_pence,
        "lapsed": run.lapsed,
    }


@app.task(soft_time_limit=1800, time_limit=1900)
def payouts_run() -> dict[str, int]:
    """Once a day: what each provider is owed goes into a batch and is sent. Run
    again the same day, it makes no new batches and resends only those not yet sent."""
    made = payouts.payouts_make(on=timezone.localdate())
    sent = payouts.payouts_send()
    logger.info(
        "Payout batches made: %d (%d providers not ready); sent %d, paid %d, returned %d, "
        "deferred %d",
        len(made.batches),
        len(made.not_ready),
        sent.sent,
        sent.paid,
        sent.returned,
        sent.deferred,
    )
    return {"made": len(made.batches), "sent": sent.sent, "paid": sent.paid}


@app.task(soft_time_limit=1800, time_limit=1900)
def payouts_progress() -> dict[str, int]:
    """Hourly: send the batches whose retry time has come and ask the gateway about
    those sent. A batch left half-sent by a worker that died is sent again under its
    own key, which the gateway pays once."""
    sent = payouts.payouts_send()
    finished = payouts.payouts_refresh()
    return {"sent": sent.sent, "deferred": sent.deferred, "finished": finished}


@app.task(soft_time_limit=1800, time_limit=1900)
def payouts_reconcile() -> dict[str, int]:
    """Once a day: the ledger against the gateway; differences listed for finance."""
    run = payouts.reconcile(on=timezone.localdate())
    return {"checked": run.batches_checked, "exceptions": run.exceptions_found}


@app.task(base=PublicTask, soft_time_limit=600, time_limit=660)
def gateway_events_retry() -> int:
    """Hourly, in the public schema: act on gateway notifications that could not be
    acted on when they came."""
    return webhooks.gateway_events_retry()


@app.task(soft_time_limit=1800, time_limit=1900)
def statements_monthly() -> int:
    """Issue last month's statement to every person with a purse. Each person's is
    issued once, so running it daily issues them on the 1st and nothing twice."""
    issued = statements_issue_monthly()
    if issued:
        logger.info("Statements issued: %d", issued)
    return issued
