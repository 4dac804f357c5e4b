from __future__ import annotations

from rest_framework import serializers

from accounts.models import Role, User


class TokenRequest(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class TokenResponse(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class TenantSummary(serializers.Serializer):
    slug = serializers.CharField()
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
    permissions = serializers.ListField(child=serializers.CharField())
    tenant = TenantSummary(allow_null=True)

    class Meta(UserOut.Meta):
        fields = [*UserOut.Meta.fields, "permissions", "tenant"]
        read_only_fields = fields
