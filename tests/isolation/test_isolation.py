"""Tenant A can never read or change tenant B's data, through any API operation."""

from __future__ import annotations

from typing import Any

from django.test import Client

from tests.isolation.harness import REGISTRY_LISTS, SHARED_IDS, UNPROBED, operations


def test_every_operation_keeps_tenants_apart(run_probe: Any, client_a: Client) -> None:
    report = run_probe()

    all_ops, _ = operations(client_a)
    expected = {op.name for op in all_ops if (op.method.upper(), op.path) not in UNPROBED}
    assert set(report.probed) == expected
    # The harness really has something to probe, including object-level operations.
    assert {"GET /api/users/{id}/", "POST /api/users/{id}/deactivate/"} <= set(report.probed)
    assert report.violations == [], "\n".join(report.violations)


def test_every_unprobed_operation_still_exists_and_says_why(client_a: Client) -> None:
    names = {(op.method.upper(), op.path) for op in operations(client_a)[0]}

    for key, reason in UNPROBED.items():
        assert key in names, f"{key} is listed in UNPROBED but no longer exists"
        assert len(reason) > 20, f"{key} needs a real reason"
    for key, reason in SHARED_IDS.items():
        assert key in names, f"{key} is listed in SHARED_IDS but no longer exists"
        assert len(reason) > 20, f"{key} needs a real reason"
    for key, reason in REGISTRY_LISTS.items():
        assert key in names, f"{key} is listed in REGISTRY_LISTS but no longer exists"
        assert len(reason) > 20, f"{key} needs a real reason"


def test_the_platform_host_has_no_api_operation_the_harness_does_not_probe(
    client_a: Client, public_client: Client
) -> None:
    # The harness walks a tenant host's schema; the platform host serves the same API
    # today. If it grows operations of its own, extend the harness to walk them too.
    tenant_ops = {op.name for op in operations(client_a)[0]}
    platform_ops = {op.name for op in operations(public_client)[0]}

    assert platform_ops <= tenant_ops
