"""The harness is only worth something if it fails on a leak: each deliberately leaky
endpoint must be reported, and nothing else."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

import catalogue.api.council
import catalogue.council.reviews
import catalogue.selectors
from catalogue.models import Provider, Service, ServiceImage


@override_settings(ROOT_URLCONF="tests.isolation.leaky_urls")
def test_each_kind_of_leak_is_reported(run_probe: Any) -> None:
    report = run_probe()

    flagged = {violation.split(":")[0] for violation in report.violations}
    assert flagged == {
        "GET /api/leaky/users/{id}/",  # reads B's object
        "POST /api/leaky/users/{id}/deactivate/",  # changes B's object
        "GET /api/leaky/all-users/",  # lists B's data
        "GET /api/leaky/whoami/",  # accepts A's token on B's host
    }, "\n".join(report.violations)
    details = "\n".join(report.violations)
    assert "with tenant B's id on A's host got 200, expected 404" in details
    assert "changed B's data" in details
    assert "contains B's identifiers" in details
    assert "A's token on southbay.localhost got 200" in details


def test_a_service_only_the_other_council_approved_is_reported(
    run_probe: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given services_visible without its council filter: every council's host would
    # offer the whole registry, including what only B approved
    def every_published_service() -> Any:
        return Service.objects.filter(
            status=Service.Status.PUBLISHED, provider__status=Provider.Status.APPROVED
        )

    # (everywhere the function is imported by name, as if its own body were broken)
    for module in (catalogue.selectors, catalogue.api.council, catalogue.council.reviews):
        monkeypatch.setattr(module, "services_visible", every_published_service)

    report = run_probe()

    # Then A's search is reported for showing B's service and its provider, by their ids
    service = Service.objects.get(name="Probe home care")
    ids = sorted({str(service.pk), str(service.provider_id)})
    assert f"GET /api/catalogue/services/: A's response contains B's identifiers {ids}" in (
        report.violations
    ), "\n".join(report.violations)
    # and the service's page, its picture and its reviews (read and written), which A's
    # host now answers; nothing else is reported
    image = ServiceImage.objects.get(service=service)
    page_ids = sorted({*ids, str(service.location_id), str(image.pk)})
    assert (
        f"GET /api/catalogue/services/{{id}}/: A's response contains B's identifiers {page_ids}"
        in report.violations
    )
    flagged = {violation.split(":")[0] for violation in report.violations}
    assert flagged == {
        "GET /api/catalogue/services/",
        "GET /api/catalogue/services/{id}/",
        "GET /api/catalogue/images/{id}/",
        "GET /api/catalogue/services/{id}/reviews/",
        "POST /api/catalogue/services/{id}/reviews/",
    }, "\n".join(report.violations)
