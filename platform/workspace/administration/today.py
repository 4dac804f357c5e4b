"""What needs an administrator today, for the workspace's home page and this
section's first page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.urls import reverse

from accounts.models import User
from accounts.permissions import CATALOGUE_APPROVE, REVIEWS_MODERATE, user_has_permission
from catalogue.council.selectors import (
    UNDECIDED,
    rating_alerts,
    registry_providers,
    reviews_for_moderation,
    services_awaiting_decision,
)
from workspace.sections import Task


def _count(n: int, one: str, many: str) -> str:
    return one if n == 1 else many.format(n=n)


def invited_users() -> Any:
    """Active accounts whose owner has not set a password from their invitation yet."""
    return User.objects.filter(is_active=True, password__startswith=UNUSABLE_PASSWORD_PREFIX)


def tasks(*, user: Any) -> list[Task]:
    found: list[Task] = []
    if user_has_permission(user, CATALOGUE_APPROVE):
        alerts = rating_alerts(acknowledged=False).count()
        found.append(
            Task(
                _count(alerts, "1 CQC rating has gone down", "{n} CQC ratings have gone down"),
                reverse("workspace:administration-alerts"),
                alerts,
                urgent=True,
            )
        )
        providers = registry_providers(status=UNDECIDED).count()
        found.append(
            Task(
                _count(
                    providers,
                    "1 provider is waiting for your decision",
                    "{n} providers are waiting for your decision",
                ),
                reverse("workspace:administration-providers"),
                providers,
            )
        )
        services = services_awaiting_decision().count()
        found.append(
            Task(
                _count(
                    services,
                    "1 service is waiting for your decision",
                    "{n} services are waiting for your decision",
                ),
                reverse("workspace:administration-services-waiting"),
                services,
            )
        )
    if user_has_permission(user, REVIEWS_MODERATE):
        reviews = reviews_for_moderation().count()
        found.append(
            Task(
                _count(
                    reviews,
                    "1 review is waiting to be checked",
                    "{n} reviews are waiting to be checked",
                ),
                reverse("workspace:administration-reviews"),
                reviews,
            )
        )
    invited = invited_users().count()
    found.append(
        Task(
            _count(
                invited,
                "1 invited person has not set a password yet",
                "{n} invited people have not set a password yet",
            ),
            reverse("workspace:administration-users") + "?status=invited",
            invited,
        )
    )
    return found
