"""The harness is only worth something if it fails on a leak: each deliberately leaky
endpoint must be reported, and nothing else."""

from __future__ import annotations

from typing import Any

from django.test import override_settings


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
