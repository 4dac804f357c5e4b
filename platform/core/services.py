"""Writes for cross-cutting records: the audit log."""

from __future__ import annotations

import ipaddress
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest

from .models import AuditEntry


@dataclass(frozen=True)
class Origin:
    """Where a request came from, as recorded in the audit log."""

    ip_address: str | None = None
    user_agent: str = ""

    @classmethod
    def of(cls, request: HttpRequest) -> Origin:
        return cls(
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:500],
        )


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address. Behind TRUSTED_PROXY_COUNT proxies, each of which appends
    the address it saw to X-Forwarded-For, the client is that many entries from the
    right; anything further left was written by the client and cannot be trusted."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies and (address := _ip_address(forwarded[-proxies])):
            return address
    return request.META.get("REMOTE_ADDR") or None


def _ip_address(value: str) -> str | None:
    """The address in "203.0.113.5", "203.0.113.5:51234" or "[2001:db8::1]:443"."""
    if value.startswith("["):
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


SYSTEM = Origin()


def audit_record(
    *,
    action: str,
    result: str = AuditEntry.Result.SUCCESS,
    actor: Any = None,
    actor_label: str = "",
    acting_for_id: uuid.UUID | None = None,
    acting_for_label: str = "",
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    origin: Origin = SYSTEM,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the audit log of the current schema.

    Call it inside the same transaction as the change it records, so that either both
    are kept or neither is. `actor` is a user (or None for the system or an anonymous
    caller, then `actor_label` says who they claimed to be).
    """
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_id = actor.public_id
        actor_label = actor_label or actor.email
    else:
        actor_id = None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(getattr(obj, "public_id", None) or obj.pk)
    return AuditEntry.objects.create(
        action=action,
        result=result,
        actor_id=actor_id,
        actor_label=actor_label[:254],
        acting_for_id=acting_for_id,
        acting_for_label=acting_for_label[:254],
        object_type=object_type,
        object_id=object_id,
        ip_address=origin.ip_address,
        user_agent=origin.user_agent,
        detail=detail or {},
    )
