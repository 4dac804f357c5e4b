"""What needs an administrator today: counted from this council's own records, shown
on the administration page (and the workspace home, through the section's tasks)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from catalogue.models import Service
from tests.catalogue.api_support import approve
from workspace.administration.today import tasks

from .support import BASE, admin_client, council_made, in_schema

pytestmark = pytest.mark.django_db


def test_each_kind_of_waiting_work_is_counted(tenant_a):
    # Given a provider waiting, a CQC alert unseen, a review to check, an invited person
    council = council_made(tenant_a)
    found = in_schema(tenant_a, lambda: tasks(user=council.admin))
    counts = {task.text: (task.count, task.urgent, task.url) for task in found if task.count}

    assert counts == {
        "1 CQC rating has gone down": (1, True, f"{BASE}/cqc-alerts/"),
        "1 provider is waiting for your decision": (1, False, f"{BASE}/providers/"),
        "1 review is waiting to be checked": (1, False, f"{BASE}/reviews/"),
        "1 invited person has not set a password yet": (1, False, f"{BASE}/users/?status=invited"),
    }
    page = admin_client(tenant_a).get(f"{BASE}/").content.decode()
    assert ">1 provider is waiting for your decision</a>" in page
    assert "Urgent</strong> <a" in page


def test_a_service_waits_once_its_provider_is_approved_and_again_when_its_terms_change(tenant_a):
    council = council_made(tenant_a)

    def services_waiting() -> int:
        found = in_schema(tenant_a, lambda: tasks(user=council.admin))
        return next(t.count for t in found if "service" in t.text)

    approve(tenant_a, council.provider)
    assert services_waiting() == 1
    approve(tenant_a, council.provider, council.service)
    assert services_waiting() == 0
    Service.objects.filter(pk=council.service.pk).update(terms_changed_at=timezone.now())
    assert services_waiting() == 1


def test_nothing_waiting_says_so(tenant_b):
    page = admin_client(tenant_b).get(f"{BASE}/").content.decode()

    assert "Nothing needs a decision today." in page
    assert 'href="/admin/branding/"' in page  # branding is edited on its own page
