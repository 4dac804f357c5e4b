"""Users and roles: the council's accounts, inviting someone by email, changing
roles, sending an invitation again, and deactivating an account."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from accounts import selectors, services
from accounts.models import Role, User
from accounts.permissions import USERS_MANAGE
from core.errors import DomainError
from core.services import Origin, audit_record
from core.web.forms import errors_apply
from tenants.selectors import host_tenant, tenant_base_url

from .forms import InviteForm, ProblemForm, RolesForm
from .support import acting_user, page, posted, render

PER_PAGE = 50
STATUSES = [
    ("", "Everyone"),
    ("active", "Active"),
    ("invited", "Invited, not signed in yet"),
    ("deactivated", "Deactivated"),
]


def _roles() -> list[tuple[str, str]]:
    return list(
        Role.objects.filter(scope=Role.Scope.TENANT).order_by("name").values_list("code", "name")
    )


def _user(user_id: Any) -> User:
    """A user of this council (the schema is the request's), else 404."""
    user = selectors.user_list().filter(public_id=user_id).first()
    if user is None:
        raise Http404
    return user


def user_status(user: User) -> str:
    if not user.is_active:
        return "deactivated"
    if not user.has_usable_password():
        return "invited"
    return "active"


@page
def user_list(request: HttpRequest) -> HttpResponse:
    acting_user(request)
    status = request.GET.get("status", "")
    role = request.GET.get("role", "")
    users = selectors.user_list()
    if status == "active":
        users = users.filter(is_active=True).exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX)
    elif status == "invited":
        users = users.filter(is_active=True, password__startswith=UNUSABLE_PASSWORD_PREFIX)
    elif status == "deactivated":
        users = users.filter(is_active=False)
    else:
        status = ""
    roles = _roles()
    if role in dict(roles):
        users = users.filter(roles__code=role)
    else:
        role = ""
    listed = Paginator(users, PER_PAGE).get_page(request.GET.get("page"))
    rows = [(user, user_status(user)) for user in listed]
    return render(
        request,
        "users/list.html",
        {
            "rows": rows,
            "listed": listed,
            "statuses": STATUSES,
            "status": status,
            "roles": roles,
            "role": role,
        },
    )


@page
@require_http_methods(["GET", "POST"])
def user_invite(request: HttpRequest) -> HttpResponse:
    by = acting_user(request, needs=USERS_MANAGE)
    form = InviteForm(posted(request), roles=_roles())
    if request.method == "POST" and form.is_valid():
        tenant = host_tenant(request)
        assert tenant is not None  # noqa: S101 - a council's host routed here
        try:
            invited, _link = services.user_create_and_invite(
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                role_codes=form.cleaned_data["roles"],
                organisation=tenant.name,
                base_url=tenant_base_url(tenant),
                created_by=by,
                origin=Origin.of(request),
            )
        except DomainError as error:
            errors_apply(form, error)
        else:
            messages.success(
                request, f"{invited.full_name} has been sent an invitation to {invited.email}."
            )
            return redirect("workspace:administration-users")
    return render(request, "users/invite.html", {"form": form})


@page
@require_http_methods(["GET", "POST"])
def user_roles(request: HttpRequest, user_id: Any) -> HttpResponse:
    by = acting_user(request, needs=USERS_MANAGE)
    user = _user(user_id)
    initial = {"roles": [role.code for role in user.roles.all()]}
    form = RolesForm(posted(request), initial=initial, roles=_roles())
    if request.method == "POST" and form.is_valid():
        try:
            services.user_roles_set(
                user=user, role_codes=form.cleaned_data["roles"], by=by, origin=Origin.of(request)
            )
        except DomainError as error:
            errors_apply(form, error)
        else:
            messages.success(request, f"The roles of {user.full_name} have been changed.")
            return redirect("workspace:administration-users")
    else:
        services.user_record_viewed(user=user, viewer=by, origin=Origin.of(request))
    return render(request, "users/roles.html", {"form": form, "person": user})


@page
@require_http_methods(["GET", "POST"])
def user_deactivate(request: HttpRequest, user_id: Any) -> HttpResponse:
    by = acting_user(request, needs=USERS_MANAGE)
    user = _user(user_id)
    form = ProblemForm()
    if request.method == "POST":
        try:
            services.user_deactivate(user=user, by=by, origin=Origin.of(request))
        except DomainError as error:
            form.refuse(error.detail)
        else:
            messages.success(
                request, f"{user.full_name} has been deactivated and signed out everywhere."
            )
            return redirect("workspace:administration-users")
    else:
        services.user_record_viewed(user=user, viewer=by, origin=Origin.of(request))
    return render(request, "users/deactivate.html", {"form": form, "person": user})


@page
@require_http_methods(["GET", "POST"])
def user_reinvite(request: HttpRequest, user_id: Any) -> HttpResponse:
    """Send the invitation again to someone who has not set a password yet."""
    by = acting_user(request, needs=USERS_MANAGE)
    user = _user(user_id)
    form = ProblemForm()
    if request.method == "POST":
        if user_status(user) != "invited":
            form.refuse(
                f"{user.full_name} is not waiting for an invitation: "
                + (
                    "the account is deactivated."
                    if not user.is_active
                    else "they have already set a password."
                ),
            )
        else:
            tenant = host_tenant(request)
            assert tenant is not None  # noqa: S101 - a council's host routed here
            with transaction.atomic():
                services.user_invite(
                    user=user, organisation=tenant.name, base_url=tenant_base_url(tenant)
                )
                audit_record(
                    action="user.invited_again", actor=by, obj=user, origin=Origin.of(request)
                )
            messages.success(request, f"The invitation has been sent again to {user.email}.")
            return redirect("workspace:administration-users")
    return render(request, "users/reinvite.html", {"form": form, "person": user})
