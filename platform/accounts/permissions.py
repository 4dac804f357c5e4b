"""Permission checks, in one place. Roles (data) grant permission codes; views ask
`user_has_permission` or use `requires(...)`."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

# The permission codes the code checks. Roles grant them (accounts migrations).
USERS_VIEW = "users.view"
USERS_MANAGE = "users.manage"
AUDIT_VIEW = "audit.view"
CATALOGUE_APPROVE = "catalogue.approve"  # a council approves providers and services
CATALOGUE_VIEW = "catalogue.view"  # staff see approvals and alerts
REVIEWS_MODERATE = "reviews.moderate"
REVIEWS_WRITE = "reviews.write"
PROVIDER_MANAGE_OWN = "provider.manage_own"  # provider staff, on the public host
PROVIDERS_VET = "providers.vet"  # platform operators vet providers
PEOPLE_VIEW_CASELOAD = "people.view_caseload"  # support workers and care managers
PEOPLE_ACT_FOR_CASELOAD = "people.act_for_caseload"  # ...and act on their behalf
PLANS_MANAGE = "plans.manage"  # care managers: people, assessments, plans, reviews
FINANCE_MANAGE = "finance.manage"
TENANT_CONFIGURE = "tenant.configure"  # administrators: budget rules and settings
PEOPLE_IMPORT = "people.import"  # administrators: bulk import of budget holders
REPORTS_VIEW = "reports.view"  # commissioners and administrators


def user_permissions(user: Any) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_permission_codes", None)
    if cached is None:
        codes: set[str] = set()
        for permissions in user.roles.values_list("permissions", flat=True):
            codes.update(permissions)
        cached = frozenset(codes)
        user._permission_codes = cached
    return cached


def user_has_permission(user: Any, code: str) -> bool:
    return code in user_permissions(user)


def requires(code: str) -> type[BasePermission]:
    """DRF permission class for one permission code."""

    class _Requires(BasePermission):
        message = "You do not have permission to do this."

        def has_permission(self, request: Request, view: APIView) -> bool:
            return user_has_permission(request.user, code)

    _Requires.__name__ = f"Requires[{code}]"
    return _Requires
