"""Reads of a council's notification settings."""

from __future__ import annotations

from .models import NotificationSettings


def notification_settings_get() -> NotificationSettings:
    """This council's settings; the defaults (unsaved) until an administrator saves them."""
    return NotificationSettings.objects.filter(pk=1).first() or NotificationSettings()
