"""`epurse user invite` adds a user to a tenant or the platform; createsuperuser says
how instead of failing."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_context

from accounts.models import User


def test_invites_the_first_platform_operator(db, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "user",
            "invite",
            "--tenant",
            "public",
            "--role",
            "platform_operator",
            "--email",
            "Ops@Platform.example",
            "--name",
            "Pat Ops",
        )

    user = User.objects.get(email="ops@platform.example")
    assert [role.code for role in user.roles.all()] == ["platform_operator"]
    assert not user.has_usable_password()
    [message] = mail.outbox
    assert f"/account/set-password/{user.public_id}/" in message.body


def test_invites_a_user_to_a_council(tenant_a) -> None:
    call_command(
        "user",
        "invite",
        "--tenant",
        "northmoor",
        "--role",
        "care_manager",
        "--email",
        "cm@northmoor.example",
        "--name",
        "Casey Manager",
    )

    with schema_context("northmoor"):
        assert User.objects.get(email="cm@northmoor.example").full_name == "Casey Manager"
    assert not User.objects.filter(email="cm@northmoor.example").exists()  # not in public


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tenant", "nowhere"], "There is no tenant 'nowhere'"),
        (["--role", "platform_operator"], "There is no role called 'platform_operator' here"),
        (["--email", "admin@northmoor.example"], "There is already an account for"),
    ],
)
def test_bad_input_is_explained(tenant_a, args: list[str], message: str) -> None:
    options = {
        "--tenant": "northmoor",
        "--role": "care_manager",
        "--email": "new@northmoor.example",
        "--name": "New Person",
    }
    options.update(dict(zip(args[::2], args[1::2], strict=True)))

    with pytest.raises(CommandError, match=message):
        call_command("user", "invite", *[part for pair in options.items() for part in pair])


def test_createsuperuser_points_to_user_invite(db) -> None:
    with pytest.raises(CommandError, match="epurse user invite --tenant public"):
        call_command("createsuperuser")
