"""Session lifetime: signed out after SESSION_IDLE_TIMEOUT_SECONDS without a request
and, whatever the activity, SESSION_ABSOLUTE_TIMEOUT_SECONDS after signing in."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from core.services import Origin, audit_record

SIGNED_IN_AT = "epurse.signed_in_at"
LAST_SEEN_AT = "epurse.last_seen_at"
# Writing the session on every request costs a query; a minute's precision is enough.
_TOUCH_EVERY_SECONDS = 60


def session_start(request: HttpRequest) -> None:
    """Call right after django.contrib.auth.login()."""
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            signed_in = request.session.setdefault(SIGNED_IN_AT, now)
            last_seen = request.session.setdefault(LAST_SEEN_AT, now)
            reason = None
            if now - last_seen > settings.SESSION_IDLE_TIMEOUT_SECONDS:
                reason = "idle"
            elif now - signed_in > settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS:
                reason = "absolute"
            if reason:
                audit_record(
                    action="auth.session_expired",
                    actor=user,
                    origin=Origin.of(request),
                    detail={"reason": reason},
                )
                logout(request)
                messages.info(
                    request,
                    "You were signed out to keep your account safe. Sign in again to carry on.",
                )
            elif now - last_seen > _TOUCH_EVERY_SECONDS:
                request.session[LAST_SEEN_AT] = now
        return self.get_response(request)


class MfaRequiredMiddleware:
    """Users who must give a second factor (accounts.mfa.mfa_required) reach nothing but
    the code page and signing out until they have given it in this session."""

    OPEN_PREFIXES = ("/account/two-factor/", "/account/sign-out/", "/static/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from .mfa import VERIFIED_AT, mfa_required

        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.session.get(VERIFIED_AT)
            and not request.path.startswith(self.OPEN_PREFIXES)
            and mfa_required(user)
        ):
            target = f"/account/two-factor/?next={quote(request.get_full_path())}"
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "type": "mfa_required",
                        "title": "A second factor is needed",
                        "status": 403,
                        "detail": "Sign in on the website and enter the code from your "
                        "authenticator app first.",
                    },
                    status=403,
                    content_type="application/problem+json",
                )
            return redirect(target)
        return self.get_response(request)
