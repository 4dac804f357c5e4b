"""What the administration pages share: the section, rendering, and the extra
permission some writes need on top of the section's own."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict

from accounts.models import User
from accounts.permissions import user_has_permission
from core.web.access import access_denied
from workspace.pages import section_page, workspace_render

SECTION = "administration"
page = section_page(SECTION)


def render(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None
) -> HttpResponse:
    return workspace_render(
        request, f"workspace/administration/{template}", context, section=SECTION
    )


def acting_user(request: HttpRequest, *, needs: str = "") -> User:
    """The signed-in administrator; refused (audited, 403) without `needs`."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - section_page has signed them in
    if needs and not user_has_permission(user, needs):
        raise access_denied(request, f"{needs} needed")
    return user


def posted(request: HttpRequest) -> QueryDict | None:
    """The form's data on a POST (even an empty one: nothing chosen), else None."""
    return request.POST if request.method == "POST" else None
