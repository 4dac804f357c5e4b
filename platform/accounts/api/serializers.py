from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Role, User
from accounts.permissions import user_permissions


class TokenRequest(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class TokenResponse(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class TenantSummary(serializers.Serializer):
    slug = serializers.CharField(source="schema_name")
    name = serializers.CharField()
    kind = serializers.CharField()


class UserOut(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    roles: serializers.SlugRelatedField[Role] = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="code"
    )

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "is_active", "roles", "last_login", "created_at"]
        read_only_fields = fields


class MeOut(UserOut):
    """The signed-in user; pass the host's tenant (or None) as context["tenant"]."""

    permissions = serializers.SerializerMethodField()
    tenant = serializers.SerializerMethodField()

    class Meta(UserOut.Meta):
        fields = [*UserOut.Meta.fields, "permissions", "tenant"]
        read_only_fields = fields

    def get_permissions(self, user: User) -> list[str]:
        return sorted(user_permissions(user))

    @extend_schema_field(TenantSummary(allow_null=True))
    def get_tenant(self, user: User) -> dict[str, str] | None:
        tenant = self.context.get("tenant")
        return None if tenant is None else TenantSummary(tenant).data
