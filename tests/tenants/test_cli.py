"""`epurse tenant create` as a newcomer or operator runs it: a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django_tenants.utils import schema_exists, tenant_context

from accounts.models import User
from tenants.models import Tenant
from tests.conftest import database_url, tenant_drop

pytestmark = pytest.mark.slow
EPURSE = str(Path(sys.executable).parent / "epurse")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url(), "EMAIL_BACKEND": "memory"}
    env.pop("DEBUG", None)
    return subprocess.run(
        [EPURSE, "tenant", *args], capture_output=True, text=True, env=env, timeout=120
    )


@pytest.fixture
def westfield(committed) -> Iterator[str]:
    tenant_drop("westfield")
    yield "westfield"
    tenant_drop("westfield")


def test_create_onboards_a_council_and_says_where_it_is(westfield: str) -> None:
    result = run(
        "create",
        "--name",
        "Westfield Borough Council",
        "--slug",
        westfield,
        "--kind",
        "council",
        "--admin-email",
        "lead@westfield.example",
    )

    assert result.returncode == 0, result.stderr
    assert "Created Westfield Borough Council (council, trial)." in result.stdout
    assert "Address: https://westfield.localhost" in result.stdout
    assert "lead@westfield.example has been emailed a link to set a password" in result.stdout
    tenant = Tenant.objects.get(schema_name=westfield)
    assert schema_exists(westfield)
    with tenant_context(tenant):
        assert list(User.objects.values_list("email", flat=True)) == ["lead@westfield.example"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--slug", "www"], "--slug: The slug 'www' is reserved for the platform."),
        (["--slug", "West_Field"], "--slug: The slug 'west_field' is not allowed"),
        (["--slug", "northmoor"], "--slug: There is already a tenant with the slug 'northmoor'."),
        (["--admin-email", "nope"], "--admin-email: 'nope' is not an email address"),
    ],
)
def test_bad_input_exits_non_zero_with_a_reason_and_writes_nothing(
    westfield: str, args: list[str], message: str
) -> None:
    base = {
        "--name": "Westfield Borough Council",
        "--slug": westfield,
        "--kind": "council",
        "--admin-email": "lead@westfield.example",
    }
    base.update(dict(zip(args[::2], args[1::2], strict=True)))

    result = run("create", *[part for pair in base.items() for part in pair])

    assert result.returncode == 1
    assert "CommandError: The tenant was not created." in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not Tenant.objects.filter(name="Westfield Borough Council").exists()


def test_unknown_kind_is_refused_by_the_argument_parser(westfield: str) -> None:
    result = run(
        "create",
        "--name",
        "W",
        "--slug",
        westfield,
        "--kind",
        "hospital",
        "--admin-email",
        "a@b.example",
    )

    assert result.returncode == 2
    assert "argument --kind: invalid choice: 'hospital'" in result.stderr


def test_list_shows_tenants(committed) -> None:
    result = run("list")

    assert result.returncode == 0
    assert "northmoor" in result.stdout
    assert "Southbay District Council" in result.stdout
