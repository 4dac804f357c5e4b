"""Writes for accounts: users, sign-in, API tokens, passwords, sessions."""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from core.errors import AccountLocked, DomainError, InvalidCredentials, ValidationFailed
from core.models import AuditEntry
from core.services import SYSTEM, Origin, audit_record

from .models import ApiToken, LoginThrottle, Role, User
from .tokens import set_password_tokens

WRONG_DETAILS = "Enter a correct email address and password."


def email_normalise(email: str) -> str:
    return email.strip().lower()


def token_digest(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


def user_create(
    *,
    email: str,
    full_name: str,
    role_codes: Sequence[str],
    password: str | None = None,
    created_by: User | None = None,
    origin: Origin = SYSTEM,
) -> User:
    """Create a user in the current schema. Without a password the account cannot sign
    in until its owner sets one through an invitation link."""
    email = email_normalise(email)
    errors: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ["Enter an email address in the correct format, like name@example.com"]
    if not full_name.strip():
        errors["full_name"] = ["Enter the person's full name"]
    roles = list(Role.objects.filter(code__in=role_codes))
    unknown = sorted(set(role_codes) - {role.code for role in roles})
    if unknown:
        errors["roles"] = [f"There is no role called {code!r} here" for code in unknown]
    if password is not None:
        try:
            validate_password(password, User(email=email, full_name=full_name))
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    if errors:
        raise ValidationFailed("The user could not be created.", field_errors=errors)

    duplicate = ValidationFailed(
        "The user could not be created.",
        field_errors={"email": [f"There is already an account for {email}"]},
    )
    if User.objects.filter(email__iexact=email).exists():
        raise duplicate
    try:
        with transaction.atomic():
            user = User(email=email, full_name=full_name.strip())
            user.set_password(password)  # None gives an unusable password
            user.save()
            user.roles.set(roles)
            audit_record(
                action="user.created",
                actor=created_by,
                obj=user,
                origin=origin,
                detail={"roles": sorted(role.code for role in roles)},
            )
    except IntegrityError:  # a concurrent create won the race
        raise duplicate from None
    return user


def login_attempt(*, email: str, password: str, origin: Origin) -> User:
    """Check a sign-in. Failures are counted per email address and per client address:
    after LOGIN_MAX_FAILURES for one address, or LOGIN_MAX_FAILURES_PER_IP from one
    client (password spraying), within LOGIN_FAILURE_WINDOW_SECONDS, further attempts
    are refused for LOGIN_LOCKOUT_SECONDS, even with the right password. Every attempt
    is audited; what was typed as an email is stored only if it is a user's address."""
    email = email_normalise(email)
    now = timezone.now()
    limits = {login_throttle_key(email): settings.LOGIN_MAX_FAILURES}
    if origin.ip_address:
        limits[f"ip:{origin.ip_address}"] = settings.LOGIN_MAX_FAILURES_PER_IP
    user = User.objects.filter(email=email).first()

    locked_until = LoginThrottle.objects.filter(key__in=limits, locked_until__gt=now).aggregate(
        until=Max("locked_until")
    )["until"]
    if locked_until:
        _audit_login(email, user, origin, AuditEntry.Result.DENIED, reason="locked")
        raise _locked_error(locked_until, now)

    # The password hash is checked with no row locked: sign-ins from one office's
    # address must not queue behind each other's hashing.
    if user is None:
        User().set_password(password)  # spend the same time as a real check
        reason = "unknown_email"
    elif not user.check_password(password):
        reason = "wrong_password"
    elif not user.is_active:
        reason = "inactive"
    else:
        with transaction.atomic():
            # The client's count stays: one good account must not reset a spray.
            LoginThrottle.objects.filter(key=login_throttle_key(email)).delete()
            user.last_login = now
            user.save(update_fields=["last_login"])
            _audit_login(email, user, origin, AuditEntry.Result.SUCCESS)
        return user

    with transaction.atomic():
        # Rows locked in key order, so concurrent attempts cannot deadlock.
        lock_ends = [_count_failure(key, limits[key], now) for key in sorted(limits)]
        locked_until = max((end for end in lock_ends if end), default=None)
        _audit_login(
            email,
            user,
            origin,
            AuditEntry.Result.FAILURE,
            reason=reason,
            locked=locked_until is not None,
        )
    if locked_until:
        raise _locked_error(locked_until, now)
    raise InvalidCredentials(WRONG_DETAILS, field_errors={"email": [WRONG_DETAILS]})


def login_throttle_key(email: str) -> str:
    # Keyed hash: what someone typed (perhaps their password) is never stored as typed.
    return "email:" + salted_hmac("epurse.login-throttle", email).hexdigest()


def _count_failure(key: str, limit: int, now: datetime) -> datetime | None:
    """Count one failure against `key`; returns when its new lock ends, if it locked."""
    throttle, _ = LoginThrottle.objects.select_for_update().get_or_create(key=key)
    if now - throttle.window_started_at > timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS):
        throttle.failures = 0
        throttle.window_started_at = now
    throttle.failures += 1
    locked_until = None
    if throttle.failures >= limit:
        throttle.failures = 0
        locked_until = throttle.locked_until = now + timedelta(
            seconds=settings.LOGIN_LOCKOUT_SECONDS
        )
    throttle.save()
    return locked_until


def _locked_error(locked_until: datetime, now: datetime) -> AccountLocked:
    minutes = max(1, math.ceil((locked_until - now).total_seconds() / 60))
    wait = "1 minute" if minutes == 1 else f"{minutes} minutes"
    return AccountLocked(
        f"You have entered the wrong details too many times. Wait {wait} and try again."
    )


def _audit_login(
    email: str,
    user: User | None,
    origin: Origin,
    result: str,
    **detail: object,
) -> None:
    audit_record(
        action="auth.login",
        result=result,
        actor=user if result == AuditEntry.Result.SUCCESS else None,
        # Not an account: record a keyed hash, so repeated attempts can be linked
        # without keeping what was typed (perhaps a password) in an append-only log.
        actor_label=user.email if user else "unknown:" + login_throttle_key(email)[6:22],
        object_type="accounts.user" if user else "",
        object_id=str(user.public_id) if user else "",
        origin=origin,
        detail=dict(detail),
    )


def api_token_obtain(*, email: str, password: str, origin: Origin) -> tuple[str, ApiToken]:
    """Sign in (with the same lockout as the sign-in page) and issue a token."""
    user = login_attempt(email=email, password=password, origin=origin)
    return api_token_issue(user=user, origin=origin)


def api_token_issue(*, user: User, origin: Origin) -> tuple[str, ApiToken]:
    """A new token for `user`. The raw value is returned once and never stored."""
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            digest=token_digest(raw),
            expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_TTL_DAYS),
        )
        audit_record(action="api_token.issued", actor=user, obj=user, origin=origin)
    return raw, token


def api_token_authenticate(*, raw_token: str) -> ApiToken | None:
    """The live token with this value in the current schema, or None."""
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(raw_token), expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is not None and (
        token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1)
    ):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def api_token_revoke(*, token: ApiToken, origin: Origin) -> None:
    with transaction.atomic():
        audit_record(action="api_token.revoked", actor=token.user, obj=token.user, origin=origin)
        token.delete()


def user_record_viewed(*, user: User, viewer: Any, origin: Origin) -> None:
    """Every access to a person's record is audited (OWASP ASVS V16; the brief, §6)."""
    audit_record(action="user.viewed", actor=viewer, obj=user, origin=origin)


ADMIN_ROLE = "council_admin"


def _manager_required(by: User) -> None:
    # Here, not at the top: accounts.permissions loads DRF, whose settings load this.
    from .permissions import USERS_MANAGE, user_has_permission

    if not user_has_permission(by, USERS_MANAGE):
        raise DomainError("Only an administrator can change who may use this service.")


def _admins_locked() -> None:
    """Changes to who is an administrator take turns (on the role's row), so two
    administrators removing each other at once cannot leave the council with none."""
    Role.objects.select_for_update().filter(code=ADMIN_ROLE).first()


def _not_the_last_admin(user: User, *, doing: str) -> None:
    others = User.objects.filter(is_active=True, roles__code=ADMIN_ROLE).exclude(pk=user.pk)
    if not others.exists():
        message = (
            f"{user.full_name or user.email} is the only active administrator, so you cannot "
            f"{doing}. Make someone else an administrator first."
        )
        raise ValidationFailed(message, field_errors={"roles": [message]})


def user_deactivate(*, user: User, by: User, origin: Origin) -> User:
    """Stop a user signing in. Their sessions in this schema and their API tokens are
    deleted now, so a browser signed in as them is sent to sign in on its next request."""
    _manager_required(by)
    if user.pk == by.pk:
        raise ValidationFailed("You cannot deactivate your own account. Ask another administrator.")
    with transaction.atomic():
        _admins_locked()
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_active and user.roles.filter(code=ADMIN_ROLE).exists():
            _not_the_last_admin(user, doing="deactivate them")
        if user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
            user.api_tokens.all().delete()
            # A session names its user only inside its signed data, so each live one
            # is read; sessions are per schema, so these are this council's only.
            theirs = [
                session.session_key
                for session in Session.objects.filter(expire_date__gte=timezone.now())
                .only("session_key", "session_data")
                .iterator()
                if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk)
            ]
            ended, _ = Session.objects.filter(session_key__in=theirs).delete()
            audit_record(
                action="user.deactivated",
                actor=by,
                obj=user,
                origin=origin,
                detail={"sessions_ended": ended},
            )
    return user


def user_roles_set(
    *, user: User, role_codes: Sequence[str], by: User, origin: Origin = SYSTEM
) -> User:
    """Give `user` exactly these roles of this council. Administrators cannot take the
    administrator role from themselves, so a council is never left without one by
    mistake."""
    codes = sorted(set(role_codes))
    roles = list(Role.objects.filter(code__in=codes, scope=Role.Scope.TENANT))
    unknown = sorted(set(codes) - {role.code for role in roles})
    if not codes:
        raise ValidationFailed(
            "Choose at least one role.", field_errors={"roles": ["Choose at least one role"]}
        )
    if unknown:
        raise ValidationFailed(
            "The roles were not changed.",
            field_errors={"roles": [f"There is no role called {code!r} here" for code in unknown]},
        )
    _manager_required(by)
    with transaction.atomic():
        _admins_locked()
        user = User.objects.select_for_update().get(pk=user.pk)
        before = sorted(user.roles.values_list("code", flat=True))
        if ADMIN_ROLE in before and ADMIN_ROLE not in codes:
            if user.pk == by.pk:
                message = (
                    "You cannot remove your own administrator role. Ask another administrator."
                )
                raise ValidationFailed(message, field_errors={"roles": [message]})
            if user.is_active:
                _not_the_last_admin(user, doing="take their administrator role away")
        if before != codes:
            user.roles.set(roles)
            audit_record(
                action="user.roles_changed",
                actor=by,
                obj=user,
                origin=origin,
                detail={"before": before, "after": codes},
            )
    return user


def password_set(*, user: User, password: str, origin: Origin) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(
            "Choose a different password.", field_errors={"password": list(exc.messages)}
        ) from None
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        LoginThrottle.objects.filter(key=login_throttle_key(user.email)).delete()
        audit_record(action="auth.password_set", actor=user, obj=user, origin=origin)


def _set_password_link(user: User, base_url: str) -> tuple[str, int]:
    """A one-use link to set `user`'s password, and for how many days it works."""
    token = set_password_tokens.make_token(user)
    link = f"{base_url}/account/set-password/{user.public_id}/{token}/"
    return link, settings.PASSWORD_RESET_TIMEOUT // 86400


def user_invite(*, user: User, organisation: str, base_url: str) -> str:
    """Email `user` a link to set their password; returns the link. Sent after commit."""
    link, days = _set_password_link(user, base_url)
    body = (
        f"Hello {user.full_name},\n\n"
        f"You have an account on {organisation} ePurse.\n\n"
        f"Set your password here:\n{link}\n\n"
        f"The link works once and for {days} days. "
        "If you were not expecting this email, you can ignore it.\n"
    )
    transaction.on_commit(
        lambda: send_mail(f"Your {organisation} ePurse account", body, None, [user.email])
    )
    return link


def password_reset_request(
    *, email: str, organisation: str, base_url: str, origin: Origin = SYSTEM
) -> None:
    """Email a link to choose a new password to the active account with this address,
    if there is one. Says nothing either way, so the page cannot tell anyone who has an
    account; the link is the invitation's (it works once, for the same days)."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        return
    link, days = _set_password_link(user, base_url)
    body = (
        f"Hello {user.full_name},\n\n"
        f"Someone asked to reset the password of your {organisation} ePurse account.\n\n"
        f"Choose a new password here:\n{link}\n\n"
        f"The link works once and for {days} days. If you did not ask, you can ignore "
        "this email: your password has not changed.\n"
    )
    audit_record(action="auth.password_reset_requested", actor=user, obj=user, origin=origin)
    transaction.on_commit(
        lambda: send_mail(f"Reset your {organisation} ePurse password", body, None, [user.email])
    )


def user_create_and_invite(
    *,
    email: str,
    full_name: str,
    role_codes: Sequence[str],
    organisation: str,
    base_url: str,
    created_by: User | None = None,
    origin: Origin = SYSTEM,
) -> tuple[User, str]:
    """A new user without a password, emailed a link to set one; returns the link."""
    with transaction.atomic():
        user = user_create(
            email=email,
            full_name=full_name,
            role_codes=role_codes,
            created_by=created_by,
            origin=origin,
        )
        return user, user_invite(user=user, organisation=organisation, base_url=base_url)


def sessions_clear_expired() -> int:
    """Delete expired sessions in the current schema; returns how many."""
    removed, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return removed


def login_throttles_clear_spent() -> int:
    """Delete sign-in throttles whose window and lock have both passed."""
    now = timezone.now()
    window_start = now - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    removed, _ = LoginThrottle.objects.filter(
        Q(locked_until__lt=now) | Q(locked_until__isnull=True, window_started_at__lt=window_start)
    ).delete()
    return removed
