"""Who may open a page: signed in, and holding a permission. Refusals are audited."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.views.decorators.cache import never_cache

from accounts.permissions import user_has_permission
from core.services import Origin, audit_record

P = ParamSpec("P")
PageView = Callable[Concatenate[HttpRequest, P], HttpResponseBase]


def access_denied(request: HttpRequest, reason: str) -> PermissionDenied:
    """Record a refusal in the audit log (who, what, from where); returns the
    exception to raise (the "You cannot see this page" page, 403)."""
    audit_record(
        action="web.access_denied",
        result="denied",
        actor=request.user,
        origin=Origin.of(request),
        detail={"method": request.method, "path": request.path, "reason": reason},
    )
    return PermissionDenied(reason)


def signed_in(view: PageView[P]) -> PageView[P]:
    """A page for any signed-in user; others are sent to sign in."""

    @wraps(view)
    @never_cache
    def wrapped(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


def needs(code: str) -> Callable[[PageView[P]], PageView[P]]:
    """A page for signed-in users holding permission `code`; others are sent to sign
    in, or refused."""

    def decorate(view: PageView[P]) -> PageView[P]:
        @wraps(view)
        @never_cache
        def wrapped(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user_has_permission(request.user, code):
                raise access_denied(request, f"{code} needed")
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
