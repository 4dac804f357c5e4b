"""One-time links for setting a password (invitations, and password reset later)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.tokens import PasswordResetTokenGenerator

from epurse.db import current_schema


class SetPasswordTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset token, also bound to the schema and the user's public id: user
    primary keys repeat across tenants, so a link must not work on another host."""

    key_salt = "epurse.accounts.SetPasswordTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{current_schema()}:{user.public_id}:" + super()._make_hash_value(user, timestamp)


set_password_tokens = SetPasswordTokenGenerator()
