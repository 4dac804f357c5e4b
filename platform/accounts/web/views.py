"""Sign in, sign out, set a password. Thin: forms check the shape, services decide."""

from __future__ import annotations

import uuid
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts import mfa, services
from accounts.middleware import session_start
from accounts.models import User
from accounts.tokens import set_password_tokens
from core.errors import DomainError
from core.services import Origin

from .forms import CodeForm, PasswordResetForm, SetPasswordForm, SignInForm


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return str(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_attempt(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                origin=Origin.of(request),
            )
        except DomainError as exc:
            form.add_error("email", exc.detail)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            session_start(request)
            return HttpResponseRedirect(_next_url(request))
    return render(
        request,
        "accounts/sign_in.html",
        {"form": form, "next": request.GET.get("next", "")},
        status=400 if form.errors else 200,
    )


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def two_factor(request: HttpRequest) -> HttpResponse:
    """The second factor: set up an authenticator app (the first time), then give its
    code. Only for signed-in users who must (accounts.mfa.mfa_required)."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    user = cast(User, request.user)
    if not mfa.mfa_required(user) or request.session.get(mfa.VERIFIED_AT):
        return HttpResponseRedirect(_next_url(request))
    device = mfa.device_for(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mfa.mfa_verify(user=user, code=form.cleaned_data["code"], origin=Origin.of(request))
        except DomainError as exc:
            form.add_error("code", exc.detail)
        else:
            request.session.cycle_key()  # a new session id once fully signed in
            request.session[mfa.VERIFIED_AT] = timezone.now().isoformat()
            return HttpResponseRedirect(_next_url(request))
    setting_up = device.confirmed_at is None
    return render(
        request,
        "accounts/two_factor.html",
        {
            "form": form,
            "next": request.GET.get("next", ""),
            "setting_up": setting_up,
            # The key in groups of four, as people type it into an app.
            "key": " ".join(device.secret[i : i + 4] for i in range(0, len(device.secret), 4))
            if setting_up
            else "",
            "uri": mfa.otpauth_uri(secret=device.secret, email=user.email) if setting_up else "",
        },
        status=400 if form.errors else 200,
    )


def password_reset(request: HttpRequest) -> HttpResponse:
    """Forgotten password: the same answer whether or not the address has an account."""
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        tenant = getattr(request, "tenant", None)
        services.password_reset_request(
            email=form.cleaned_data["email"],
            organisation=getattr(tenant, "name", "the"),
            base_url=request.build_absolute_uri("/").rstrip("/"),
            origin=Origin.of(request),
        )
        return render(
            request, "accounts/password_reset_sent.html", {"email": form.cleaned_data["email"]}
        )
    return render(
        request, "accounts/password_reset.html", {"form": form}, status=400 if form.errors else 200
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, "You have signed out.")
    return redirect("accounts:login")


SET_PASSWORD_TOKEN = "epurse.set_password_token"  # noqa: S105 - a session key name


@never_cache
def set_password_link(request: HttpRequest, user_id: uuid.UUID, token: str) -> HttpResponse:
    """The emailed link. The token moves into the session and the browser is sent on
    to an address without it, so it never reaches logs, Referer headers or history."""
    user = User.objects.filter(public_id=user_id, is_active=True).first()
    if user is None or not set_password_tokens.check_token(user, token):
        return render(request, "accounts/link_expired.html", status=404)
    request.session[SET_PASSWORD_TOKEN] = token
    return redirect("accounts:set-password", user_id=user_id)


@sensitive_post_parameters("password", "confirm")
@never_cache
def set_password(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    user = User.objects.filter(public_id=user_id, is_active=True).first()
    token = request.session.get(SET_PASSWORD_TOKEN, "")
    if user is None or not set_password_tokens.check_token(user, token):
        return render(request, "accounts/link_expired.html", status=404)
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_set(
                user=user, password=form.cleaned_data["password"], origin=Origin.of(request)
            )
        except DomainError as exc:
            for message in exc.field_errors.get("password", [exc.detail]):
                form.add_error("password", message)
        else:
            request.session.pop(SET_PASSWORD_TOKEN, None)
            messages.success(request, "Your password has been set. You can now sign in.")
            return redirect("accounts:login")
    return render(
        request, "accounts/set_password.html", {"form": form}, status=400 if form.errors else 200
    )
