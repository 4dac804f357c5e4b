"""Writes for cross-cutting records: the audit log."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

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
        # REMOTE_ADDR only: X-Forwarded-For is whatever the client says unless a trusted
        # proxy rewrote it, and the proxy is configured to set REMOTE_ADDR for us.
        return cls(
            ip_address=request.META.get("REMOTE_ADDR") or None,
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:500],
        )


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
