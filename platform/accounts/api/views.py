"""Thin API views: parse, call a service or selector, serialise."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions, selectors, services
from accounts.models import ApiToken, User
from core.services import Origin
from tenants.selectors import host_tenant

from .authentication import ApiTokenAuthentication
from .serializers import MeOut, TokenRequest, TokenResponse, UserOut


class TokenView(APIView):
    """Exchange an email and password for an API token (POST), or revoke the token
    used to call this (DELETE). Failures count towards the sign-in lockout."""

    authentication_classes = [ApiTokenAuthentication]

    def get_permissions(self) -> list[BasePermission]:
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(
        request=TokenRequest,
        responses={200: TokenResponse, 400: OpenApiResponse(description="Wrong details")},
    )
    def post(self, request: Request) -> Response:
        data = TokenRequest(data=request.data)
        data.is_valid(raise_exception=True)
        raw, token = services.api_token_obtain(
            email=data.validated_data["email"],
            password=data.validated_data["password"],
            origin=Origin.of(request),
        )
        return Response(TokenResponse({"token": raw, "expires_at": token.expires_at}).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        token = request.auth
        assert isinstance(token, ApiToken)  # noqa: S101 - only token auth reaches here
        services.api_token_revoke(token=token, origin=Origin.of(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """The signed-in user, their roles and permissions, and the tenant of this host."""

    @extend_schema(responses=MeOut)
    def get(self, request: Request) -> Response:
        return Response(MeOut(request.user, context={"tenant": host_tenant(request)}).data)


class UserList(generics.ListAPIView[User]):
    """The users of this council (or, on the platform host, of the platform)."""

    permission_classes = [permissions.requires(permissions.USERS_VIEW)]
    serializer_class = UserOut

    def get_queryset(self) -> Any:
        return selectors.user_list()


class UserDetail(generics.RetrieveAPIView[User]):
    """One user's record. Every opening is written to the audit log."""

    permission_classes = [permissions.requires(permissions.USERS_VIEW)]
    serializer_class = UserOut
    queryset = User.objects.prefetch_related("roles")
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = self.get_object()
        services.user_record_viewed(user=user, viewer=request.user, origin=Origin.of(request))
        return Response(UserOut(user).data)


class UserDeactivate(generics.GenericAPIView[User]):
    """Stop a user signing in: their sessions and tokens stop working."""

    permission_classes = [permissions.requires(permissions.USERS_MANAGE)]
    serializer_class = UserOut
    queryset = User.objects.all()
    lookup_field = "public_id"
    lookup_url_kwarg = "id"

    @extend_schema(request=None, responses=UserOut)
    def post(self, request: Request, id: str) -> Response:
        assert isinstance(request.user, User)  # noqa: S101 - the permission ensures it
        user = services.user_deactivate(
            user=self.get_object(), by=request.user, origin=Origin.of(request)
        )
        return Response(UserOut(user).data)
