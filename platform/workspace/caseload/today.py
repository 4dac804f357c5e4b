"""What needs a care manager today, for the workspace's home page."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from purse.caseload.selectors import caseload, caseload_counts, plural

from ..sections import Task


def tasks(*, user: Any) -> list[Task]:
    count = caseload_counts(caseload(viewer=user))
    listed = reverse("workspace:caseload")
    attention = count["attention"]
    return [
        Task(
            f"{plural(count['review_overdue'], 'review')} overdue",
            f"{listed}?show=review_overdue",
            count["review_overdue"],
            urgent=True,
        ),
        Task(
            f"{plural(count['review_due'], 'review')} due in the next 14 days",
            f"{listed}?show=review_due",
            count["review_due"],
        ),
        Task(
            f"{plural(count['plan_waiting'], 'plan')} waiting for a second approver",
            reverse("workspace:caseload-plans"),
            count["plan_waiting"],
            urgent=True,
        ),
        Task(
            f"{attention} {'person' if attention == 1 else 'people'} with something that "
            "needs attention",
            f"{listed}?show=attention",
            attention,
        ),
    ]
