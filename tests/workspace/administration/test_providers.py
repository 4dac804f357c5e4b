"""Providers in the council's area: the vetting queue with the platform's document
checks, a provider's page, approving and suspending providers and services (with an
agreed price), CQC alerts and review moderation; one council's decisions stay its own."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from catalogue.council.models import ProviderApproval, RatingAlert, Review, ServiceApproval
from catalogue.models import Service
from core.models import AuditEntry
from tests.catalogue.api_support import approve

from .support import BASE, Council, admin_client, council_made, in_schema

pytestmark = pytest.mark.django_db


@pytest.fixture
def council(tenant_a) -> Council:
    return council_made(tenant_a)


def decisions(council: Council) -> tuple[list, list]:
    return in_schema(
        council.users,
        lambda: (
            list(ProviderApproval.objects.values_list("provider_id", "status", "reason")),
            list(
                ServiceApproval.objects.values_list(
                    "service_id", "status", "agreed_price_pence", "reason"
                )
            ),
        ),
    )


def test_the_queue_lists_providers_waiting_with_their_document_checks(council):
    page = admin_client(council.users).get(f"{BASE}/providers/").content.decode()

    row = page[page.index("Willow Home Care Ltd") :].split("</tr>")[0]
    assert "4 of 4 accepted" in row  # insurance, DBS, safeguarding, CQC registration
    assert "Waiting" in row
    assert f'href="{BASE}/providers/{council.provider.pk}/"' in page


def test_an_approved_provider_leaves_the_waiting_queue(council):
    approve(council.users, council.provider)
    client = admin_client(council.users)

    waiting = client.get(f"{BASE}/providers/").content.decode()
    approved = client.get(f"{BASE}/providers/?status=approved").content.decode()

    assert "Willow Home Care Ltd" not in waiting
    assert "No providers are waiting for your decision." in waiting
    assert "Willow Home Care Ltd" in approved


def test_the_providers_page_lists_its_documents_and_services(council):
    page = (
        admin_client(council.users).get(f"{BASE}/providers/{council.provider.pk}/").content.decode()
    )

    documents = page[page.index('id="documents"') :].split("</table>")[0]
    assert documents.count("Accepted") == 4
    assert "insurance.pdf" in documents
    assert f"/documents/{council.provider.documents.first().pk}" not in page  # no download
    services = page[page.index('id="services"') :].split("</table>")[0]
    assert "Help at home" in services
    assert "£18" in services
    assert "Waiting for your decision" in page


def test_approving_a_provider_then_its_service_at_an_agreed_price(council):
    client = admin_client(council.users)

    provider = client.post(
        f"{BASE}/providers/{council.provider.pk}/decision/", {"status": "approved", "reason": ""}
    )
    service = client.post(
        f"{BASE}/services/{council.service.pk}/decision/",
        {"status": "approved", "agreed_price": "17.50", "reason": ""},
    )

    assert provider.status_code == service.status_code == 302
    assert decisions(council) == (
        [(council.provider.pk, "approved", "")],
        [(council.service.pk, "approved", 1750, "")],
    )


def test_suspending_without_a_reason_shows_the_error_and_changes_nothing(council):
    approve(council.users, council.provider)
    before = decisions(council)

    response = admin_client(council.users).post(
        f"{BASE}/providers/{council.provider.pk}/decision/", {"status": "suspended", "reason": " "}
    )

    assert response.status_code == 200
    assert '<a href="#id_reason">Give a reason</a>' in response.content.decode()
    assert decisions(council) == before


def test_suspending_with_a_reason_is_recorded_and_audited(council):
    approve(council.users, council.provider)

    response = admin_client(council.users).post(
        f"{BASE}/providers/{council.provider.pk}/decision/",
        {"status": "suspended", "reason": "Complaints under investigation"},
    )

    assert response.status_code == 302
    assert decisions(council)[0] == [
        (council.provider.pk, "suspended", "Complaints under investigation")
    ]
    assert (
        in_schema(
            council.users,
            lambda: AuditEntry.objects.filter(action="provider.suspended_locally").count(),
        )
        == 1
    )


def test_a_service_cannot_be_approved_before_its_provider_and_is_told_why(council):
    response = admin_client(council.users).post(
        f"{BASE}/services/{council.service.pk}/decision/",
        {"status": "approved", "agreed_price": "", "reason": ""},
    )

    assert response.status_code == 200
    assert "Approve the provider before approving its services" in response.content.decode()
    assert decisions(council) == ([], [])


def test_a_bad_agreed_price_is_refused(council):
    approve(council.users, council.provider)

    response = admin_client(council.users).post(
        f"{BASE}/services/{council.service.pk}/decision/",
        {"status": "approved", "agreed_price": "0", "reason": ""},
    )

    assert '<a href="#id_agreed_price">The agreed price must be more than £0</a>' in (
        response.content.decode()
    )
    assert decisions(council)[1] == []


def test_services_whose_terms_changed_since_approval_wait_again(council):
    approve(council.users, council.provider, council.service)
    client = admin_client(council.users)
    assert "No services are waiting" in client.get(f"{BASE}/services/waiting/").content.decode()

    Service.objects.filter(pk=council.service.pk).update(terms_changed_at=timezone.now())

    page = client.get(f"{BASE}/services/waiting/").content.decode()
    assert "Help at home" in page
    assert "Changed since you approved it" in page


def test_a_cqc_alert_is_marked_as_seen_once(council):
    client = admin_client(council.users)
    assert "Requires improvement" in client.get(f"{BASE}/cqc-alerts/").content.decode()

    response = client.post(f"{BASE}/cqc-alerts/{council.alert.pk}/seen/")

    assert response.status_code == 302
    with tenant_context(council.users.tenant):
        alert = RatingAlert.objects.get(pk=council.alert.pk)
        assert alert.acknowledged_by_id == council.admin.pk
    assert "There are no new alerts." in client.get(f"{BASE}/cqc-alerts/").content.decode()
    assert client.get(f"{BASE}/cqc-alerts/{council.alert.pk}/seen/").status_code == 405


def test_a_review_is_published_or_kept_back_with_a_reason(council):
    client = admin_client(council.users)

    refused = client.post(f"{BASE}/reviews/{council.review.pk}/", {"publish": "no", "reason": ""})
    assert "Say why the review is not published" in refused.content.decode()
    assert in_schema(council.users, lambda: Review.objects.get(pk=council.review.pk).status) == (
        "pending"
    )

    done = client.post(f"{BASE}/reviews/{council.review.pk}/", {"publish": "yes", "reason": ""})

    assert done.status_code == 302
    with tenant_context(council.users.tenant):
        review = Review.objects.get(pk=council.review.pk)
        assert (review.status, review.moderated_by_id) == ("published", council.admin.pk)
    assert "No reviews are waiting." in client.get(f"{BASE}/reviews/").content.decode()


def test_another_council_sees_its_own_decisions_and_not_these(council, tenant_b):
    approve(council.users, council.provider, council.service, agreed=1600)
    b_admin = admin_client(tenant_b)

    # The provider is in the shared registry: southbay sees it, undecided there.
    page = b_admin.get(f"{BASE}/providers/").content.decode()
    assert "Willow Home Care Ltd" in page
    detail = b_admin.get(f"{BASE}/providers/{council.provider.pk}/").content.decode()
    assert "Waiting for your decision" in detail
    assert "£16" not in detail
    # Northmoor's alert and review ids are not southbay's.
    assert b_admin.post(f"{BASE}/cqc-alerts/{council.alert.pk}/seen/").status_code == 404
    assert b_admin.get(f"{BASE}/reviews/{council.review.pk}/").status_code == 404
    # Southbay's suspension is its own.
    b_admin.post(
        f"{BASE}/providers/{council.provider.pk}/decision/",
        {"status": "suspended", "reason": "Not in our area"},
    )
    assert decisions(council)[0] == [(council.provider.pk, "approved", "")]
    assert (
        in_schema(
            council.users, lambda: RatingAlert.objects.get(pk=council.alert.pk).acknowledged_at
        )
        is None
    )
