"""What the catalogue's API views share: which hosts an endpoint lives on, and who may
call it. The same URLs are mounted on every host; an endpoint of the platform's host
answers 404 on a council's host, and the other way round, whoever asks."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.models import User
from accounts.permissions import PROVIDER_MANAGE_OWN, requires, user_has_permission
from catalogue.models import Provider
from catalogue.web.selectors import portal_provider
from tenants.selectors import host_tenant

ANY_HOST = "any"
PLATFORM_HOST = "platform"
COUNCIL_HOST = "council"

# OpenAPI security for endpoints open on the platform's host but needing a sign-in
# on a council's (the `{}` tells clients that no credentials may be sent).
OPEN_ON_PLATFORM_HOST: list[dict[str, list[str]]] = [{"tokenAuth": []}, {"cookieAuth": []}, {}]


class HostScoped(APIView):
    """Base for the catalogue's views: `host_scope` says where the endpoint exists. Checked before
    authentication, so the answer elsewhere is 404 whatever credentials are sent."""

    host_scope = ANY_HOST

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        on_council = host_tenant(request) is not None
        if (self.host_scope == PLATFORM_HOST and on_council) or (
            self.host_scope == COUNCIL_HOST and not on_council
        ):
            raise NotFound()
        super().initial(request, *args, **kwargs)


class SignedInOnCouncilHosts(BasePermission):
    """Anyone on the platform's host (the approved registry is public); on a council's
    host only its signed-in users (what the council offers is for its people)."""

    message = "Sign in to search this council's services."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return host_tenant(request) is None or bool(request.user and request.user.is_authenticated)


def requires_any(*codes: str) -> type[BasePermission]:
    """DRF permission class: at least one of the permission codes."""

    class _RequiresAny(BasePermission):
        message = "You do not have permission to do this."

        def has_permission(self, request: Request, view: APIView) -> bool:
            return any(user_has_permission(request.user, code) for code in codes)

    _RequiresAny.__name__ = f"RequiresAny[{','.join(codes)}]"
    return _RequiresAny


@extend_schema(tags=["catalogue: provider portal (platform's host only)"])
class PortalView(HostScoped):
    """Provider portal endpoints: the platform's host, provider.manage_own and
    membership of a provider. Objects are always looked up within `self.provider`,
    so another provider's ids are simply not found."""

    host_scope = PLATFORM_HOST
    permission_classes = [requires(PROVIDER_MANAGE_OWN)]

    @property
    def provider(self) -> Provider:
        found = getattr(self, "_provider", None)
        if found is None:
            found = portal_provider(user=self.request.user)
            if found is None:
                raise PermissionDenied("Your account is not a member of a provider.")
            self._provider = found
        return found


def file_response(
    *, content: bytes, content_type: str, cache_control: str, filename: str | None = None
) -> HttpResponse:
    """Bytes as they were stored. Documents are offered as downloads, never shown
    inline, so a crafted file cannot run in the site's origin."""
    response = HttpResponse(bytes(content), content_type=content_type)
    response["Cache-Control"] = cache_control
    response["Content-Length"] = str(len(content))
    if filename is not None:
        disposition = content_disposition_header(as_attachment=True, filename=filename)
        if disposition:
            response["Content-Disposition"] = disposition
    return response


class FileView(APIView):
    """Base for views that answer with stored bytes: the client's Accept header
    (e.g. image/png) must not turn them into 406; errors are still JSON problems."""

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        return (JSONRenderer(), JSONRenderer.media_type)


def signed_in_user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - the view's permission ensures it
    return user
