"""A second factor for the people who run the platform: codes from an authenticator
app (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), set up once and asked for at
each sign-in. A code is accepted once (the device remembers the last step used) and
within one step either side of the server's clock."""

from __future__ import annotations

import base64
import hmac
import secrets
import struct
import time
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.errors import ValidationFailed
from core.services import SYSTEM, Origin, audit_record

from .models import TotpDevice, User

STEP_SECONDS = 30
DIGITS = 6
VERIFIED_AT = "epurse.mfa_verified_at"  # in the session, once the code was given


def mfa_required(user: Any) -> bool:
    """Whether this user must give a code: those holding any of MFA_REQUIRED_PERMISSIONS."""
    from .permissions import user_permissions

    return bool(user_permissions(user) & set(settings.MFA_REQUIRED_PERMISSIONS))


def _key(secret: str) -> bytes:
    return base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)


def totp_code(secret: str, step: int) -> str:
    digest = hmac.new(_key(secret), struct.pack(">Q", step), "sha1").digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // STEP_SECONDS)


def otpauth_uri(*, secret: str, email: str) -> str:
    """What an authenticator app reads (typed in, or from a QR code of it)."""
    issuer = quote(settings.MFA_ISSUER)
    return f"otpauth://totp/{issuer}:{quote(email)}?secret={secret}&issuer={issuer}&digits=6"


def device_for(user: User) -> TotpDevice:
    """The user's device, made with a fresh secret if they have none yet."""
    device, _ = TotpDevice.objects.get_or_create(
        user=user, defaults={"secret": base64.b32encode(secrets.token_bytes(20)).decode()}
    )
    return device


def _wrong(message: str) -> ValidationFailed:
    return ValidationFailed(message, field_errors={"code": [message]})


def mfa_verify(*, user: User, code: str, origin: Origin = SYSTEM, now: float | None = None) -> None:
    """Check a code from the user's app; the first good code also confirms the set-up.
    Raises ValidationFailed with a message for the person otherwise."""
    code = "".join((code or "").split())
    if not (code.isascii() and code.isdigit() and len(code) == DIGITS):
        raise _wrong("Enter the 6-digit code from your authenticator app")
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().get(pk=device_for(user).pk)
        step = current_step(now)
        near = (step - 1, step, step + 1)
        matched = next(
            (s for s in near if hmac.compare_digest(totp_code(device.secret, s), code)), None
        )
        accepted = matched is not None and matched > device.last_step
        if accepted and matched is not None:
            device.last_step = matched
            fields = ["last_step"]
            if device.confirmed_at is None:
                device.confirmed_at = timezone.now()
                fields.append("confirmed_at")
            device.save(update_fields=fields)
            audit_record(action="auth.mfa_verified", actor=user, origin=origin)
    if not accepted:
        # Recorded outside the transaction above, which writes nothing for a wrong code.
        audit_record(
            action="auth.mfa_failed",
            result="denied",
            actor=user,
            origin=origin,
            detail={"reused": matched is not None},
        )
        raise _wrong(
            "That code has been used already: wait for the next one"
            if matched is not None
            else "That code is not right: check the time on your phone and try the newest code"
        )
