"""Demo data: three tenants with six users each and a platform operator; re-runs keep
what is there."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django_tenants.utils import schema_context

from accounts.models import User
from epurse.demo import DEMO_TENANTS, demo_seed
from tenants.models import Tenant

PASSWORD = "demo-password-for-tests"


def test_demo_seed_creates_the_demo_and_keeps_it_on_rerun(db) -> None:
    demo_seed(password=PASSWORD)
    with schema_context("kingsmere"):
        User.objects.filter(email="person@kingsmere.example").update(full_name="Renamed")

    sites = demo_seed(password=PASSWORD)

    assert [site.url for site in sites] == [
        "https://kingsmere.localhost",
        "https://ashdown.localhost",
        "https://riverside.localhost",
        "https://localhost",
    ]
    assert {
        t.schema_name: t.kind
        for t in Tenant.objects.filter(schema_name__in=[slug for _, slug, _ in DEMO_TENANTS])
    } == {"kingsmere": "council", "ashdown": "council", "riverside": "nhs"}
    for _, slug, _ in DEMO_TENANTS:
        with schema_context(slug):
            users = {u.email: u for u in User.objects.prefetch_related("roles")}
            assert sorted(users) == sorted(
                f"{box}@{slug}.example"
                for box in (
                    "admin",
                    "manager",
                    "lead",
                    "finance",
                    "person",
                    "carer",
                    "worker",
                    "commissioner",
                )
            )
            assert all(user.check_password(PASSWORD) for user in users.values())
    with schema_context("kingsmere"):
        assert User.objects.get(email="person@kingsmere.example").full_name == "Renamed"
    operator = User.objects.get(email="operator@platform.example")
    assert [role.code for role in operator.roles.all()] == ["platform_operator"]


@override_settings(DEBUG=False, DEMO_PASSWORD="")
def test_demo_refuses_outside_debug_without_a_password_of_your_own(db) -> None:
    with pytest.raises(CommandError, match="set DEMO_PASSWORD"):
        call_command("demo")
    assert not Tenant.objects.filter(schema_name="kingsmere").exists()
