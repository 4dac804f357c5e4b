"""Failed sign-ins arriving at the same moment, on real parallel connections, are all
counted: none is lost, and the lock holds afterwards."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from django.db import connections
from django_tenants.utils import tenant_context

from accounts.models import LoginThrottle
from accounts.services import login_attempt, login_throttle_key
from core.errors import AccountLocked, DomainError
from core.models import AuditEntry
from core.services import Origin
from tenants.services import tenant_create
from tests.conftest import PASSWORD, tenant_drop

ATTEMPTS = 8
ADMIN = "admin@racewood.example"


@pytest.fixture
def racewood(committed) -> Iterator[object]:
    tenant_drop("racewood")
    yield tenant_create(
        name="Racewood Borough Council",
        slug="racewood",
        kind="council",
        admin_email=ADMIN,
        admin_password=PASSWORD,
    ).tenant
    tenant_drop("racewood")


def test_parallel_failures_are_all_counted_and_lock_the_account(racewood, settings) -> None:
    settings.LOGIN_MAX_FAILURES = 5
    start = threading.Barrier(ATTEMPTS)
    outcomes: list[str] = []

    def attempt() -> None:
        try:
            with tenant_context(racewood):
                start.wait()
                login_attempt(email=ADMIN, password="wrong", origin=Origin())
        except DomainError as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(outcomes) == ATTEMPTS
    assert "AccountLocked" in outcomes
    with tenant_context(racewood):
        throttle = LoginThrottle.objects.get(key=login_throttle_key(ADMIN))
        failures = AuditEntry.objects.filter(action="auth.login", result="failure").count()
        assert failures == ATTEMPTS  # every attempt audited
        assert throttle.failures == ATTEMPTS - settings.LOGIN_MAX_FAILURES  # none lost
        assert throttle.locked_until is not None
        with pytest.raises(AccountLocked):
            login_attempt(email=ADMIN, password=PASSWORD, origin=Origin())
