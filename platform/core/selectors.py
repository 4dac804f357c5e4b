"""Reads for cross-cutting records."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import AuditEntry


def audit_entry_list(*, action: str = "", object_id: str = "") -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.all()
    if action:
        entries = entries.filter(action=action)
    if object_id:
        entries = entries.filter(object_id=object_id)
    return entries
