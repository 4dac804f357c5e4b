"""Reads for accounts."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import User


def user_list() -> QuerySet[User]:
    return User.objects.prefetch_related("roles").order_by("full_name", "email")
