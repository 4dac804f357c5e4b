"""Deliberately leaky endpoints, added to the tenant URLs, to prove the isolation
harness catches each kind of leak. Never imported outside the tests."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.urls import include, path
from django_tenants.utils import schema_context
from rest_framework import generics
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import UserOut
from accounts.models import ApiToken, User
from accounts.services import token_digest
from tenants.models import Tenant


def _schemas() -> list[str]:
    return list(Tenant.objects.exclude(schema_name="public").values_list("schema_name", flat=True))


class LeakyUserDetail(generics.RetrieveAPIView[User]):
    """Looks the id up in every tenant's schema."""

    serializer_class = UserOut
    queryset = User.objects.all()
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def get_object(self) -> User:
        for schema in _schemas():
            with schema_context(schema):
                user = User.objects.filter(public_id=self.kwargs["id"]).first()
                if user is not None:
                    self.kwargs["schema"] = schema
                    return user
        raise Http404


class LeakyUserDeactivate(generics.GenericAPIView[User]):
    """Deactivates a user wherever it is."""

    serializer_class = UserOut
    queryset = User.objects.all()
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def post(self, request: Request, id: str) -> Response:
        for schema in _schemas():
            with schema_context(schema):
                User.objects.filter(public_id=id).update(is_active=False)
        return Response({"done": True})


class LeakyAllUsers(APIView):
    """Lists every tenant's users."""

    def get(self, request: Request) -> Response:
        emails = []
        for schema in _schemas():
            with schema_context(schema):
                emails += list(User.objects.values_list("email", flat=True))
        return Response({"emails": emails})


class CrossTenantToken(BaseAuthentication):
    """Accepts a token issued on any tenant's host."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        parts = get_authorization_header(request).split()
        if len(parts) != 2:
            return None
        for schema in _schemas():
            with schema_context(schema):
                token = ApiToken.objects.filter(digest=token_digest(parts[1].decode())).first()
                if token is not None:
                    return AnonymousUser(), token
        return None


class LeakyWhoAmI(APIView):
    authentication_classes = [CrossTenantToken]
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        if request.auth is None:
            return Response({"detail": "who are you?"}, status=401)
        return Response({"token_accepted": True})


leaks = [
    path("users/<uuid:id>/", LeakyUserDetail.as_view()),
    path("users/<uuid:id>/deactivate/", LeakyUserDeactivate.as_view()),
    path("all-users/", LeakyAllUsers.as_view()),
    path("whoami/", LeakyWhoAmI.as_view()),
]

urlpatterns = [
    path("api/leaky/", include(leaks)),
    path("", include("epurse.urls_tenant")),
]
