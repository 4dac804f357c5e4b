"""Every administration page opens for the council's administrators and nobody else:
other staff roles and budget holders are refused (403, audited), visitors who are not
signed in are sent to sign in."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from core.models import AuditEntry
from tests.conftest import host_client, signed_in_client

from .support import BASE, Council, admin_client, council_made, role_client

pytestmark = pytest.mark.django_db


def pages(council: Council) -> list[str]:
    user, number = council.staff.public_id, council.draft.number
    return [
        f"{BASE}/",
        f"{BASE}/users/",
        f"{BASE}/users/invite/",
        f"{BASE}/users/{user}/roles/",
        f"{BASE}/users/{user}/deactivate/",
        f"{BASE}/users/{user}/invite-again/",
        f"{BASE}/rules/",
        f"{BASE}/rules/1/",
        f"{BASE}/rules/{number}/",
        f"{BASE}/rules/1/new-draft/",
        f"{BASE}/rules/{number}/settings/",
        f"{BASE}/rules/{number}/preview/",
        f"{BASE}/rules/{number}/publish/",
        f"{BASE}/providers/",
        f"{BASE}/providers/?status=all",
        f"{BASE}/providers/{council.provider.pk}/",
        f"{BASE}/providers/{council.provider.pk}/decision/",
        f"{BASE}/services/waiting/",
        f"{BASE}/services/{council.service.pk}/decision/",
        f"{BASE}/cqc-alerts/",
        f"{BASE}/reviews/",
        f"{BASE}/reviews/{council.review.pk}/",
        f"{BASE}/notifications/",
    ]


@pytest.fixture
def council(tenant_a) -> Council:
    return council_made(tenant_a)


def test_every_page_opens_for_an_administrator(council):
    client = admin_client(council.users)
    for path in pages(council):
        response = client.get(path)
        assert response.status_code == 200, path
        assert b'aria-current="true">Administration</a>' in response.content, path


@pytest.mark.parametrize("role", ["care_manager", "finance_officer", "commissioner"])
def test_other_staff_are_refused_every_page_and_the_refusal_is_audited(council, role):
    user, client = role_client(council.users, role)
    for path in pages(council):
        assert client.get(path).status_code == 403, path
    # Writes too, whatever they send.
    assert client.post(f"{BASE}/users/invite/", {"email": "x@y.example"}).status_code == 403
    assert client.post(f"{BASE}/cqc-alerts/{council.alert.pk}/seen/").status_code == 403
    with tenant_context(council.users.tenant):
        refusals = AuditEntry.objects.filter(action="web.access_denied", actor_id=user.public_id)
        assert refusals.count() == len(pages(council)) + 2
        assert council.alert.__class__.objects.get(pk=council.alert.pk).acknowledged_at is None


def test_a_budget_holder_is_refused_every_page(council):
    client = signed_in_client(council.users, council.users.person)
    for path in pages(council):
        assert client.get(path).status_code == 403, path


def test_visitors_who_are_not_signed_in_are_sent_to_sign_in(council):
    client = host_client(council.users.host)
    for path in pages(council):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/account/sign-in/?next="), path
