"""Case notes: what a care manager recorded about a person, kept as written."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CaseNote(models.Model):
    person = models.ForeignKey("purse.Person", on_delete=models.PROTECT, related_name="case_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    written_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-written_at", "-id"]

    def __str__(self) -> str:
        return f"Case note on {self.person_id} by {self.author_id}"
