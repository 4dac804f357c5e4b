"""What needs a finance officer today, for the workspace's home page."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from purse.payouts.models import PaymentFile, PayoutBatch
from purse.payouts.selectors import exceptions_listed
from purse.surplus.models import SurplusNotice
from purse.topups.selectors import topup_run_waiting

from ..sections import Task


def tasks(*, user: Any) -> list[Task]:
    waiting = topup_run_waiting()
    exceptions = exceptions_listed(open_only=True).count()
    returned = PayoutBatch.objects.filter(status=PayoutBatch.Status.RETURNED).count()
    files = PaymentFile.objects.filter(status=PaymentFile.Status.READY).count()
    asked = SurplusNotice.objects.filter(
        status=SurplusNotice.Status.RECONSIDERATION_REQUESTED
    ).count()
    finance = "workspace:finance"
    waiting_url = (
        reverse(f"{finance}-topup-run", kwargs={"run_id": waiting.public_id}) if waiting else ""
    )
    return [
        Task(
            "A top-up run is waiting for your approval",
            waiting_url,
            1 if waiting else 0,
            urgent=True,
        ),
        Task(
            f"{exceptions} reconciliation exception{'s' if exceptions != 1 else ''} to look into",
            reverse(f"{finance}-exceptions"),
            exceptions,
        ),
        Task(
            f"{returned} payment{'s' if returned != 1 else ''} to providers returned",
            reverse(f"{finance}-payouts") + "?status=returned",
            returned,
        ),
        Task(
            f"{files} payment file{'s' if files != 1 else ''} to send from your finance system",
            reverse(f"{finance}-payouts"),
            files,
        ),
        Task(
            f"{asked} request{'s' if asked != 1 else ''} to reconsider a surplus notice",
            reverse(f"{finance}-surplus") + "?status=reconsideration_requested",
            asked,
        ),
    ]
