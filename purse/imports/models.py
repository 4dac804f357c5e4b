"""Files of existing budget holders and budgets brought in from a council's old system,
and which person each of the council's references became.

A file is stored once (its SHA-256 is unique), so submitting it again finds the first
result. A reference is imported once (unique across every file), so files that overlap
import only the references that are new.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class ImportFile(models.Model):
    class Status(models.TextChoices):
        CHECKED = "checked", "Checked: waiting for you to choose"
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Stopped before the end"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, unique=True)
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CHECKED)
    # What the check found: rows with something in them, rows that can be imported,
    # rows naming a reference imported before, and the rows with problems.
    rows_total = models.PositiveIntegerField(default=0)
    rows_valid = models.PositiveIntegerField(default=0)
    rows_already = models.PositiveIntegerField(default=0)
    rows_bad = models.PositiveIntegerField(default=0)
    # [{"row": 12, "reference": "AB123", "column": "postcode", "message": "..."}], in
    # row order: the report, and the bad rows' download, are made from it.
    problems = models.JSONField(default=list, blank=True)
    # The import itself.
    import_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    import_requested_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_to_import = models.PositiveIntegerField(default=0)
    rows_imported = models.PositiveIntegerField(default=0)
    # Rows skipped when importing: another file imported their reference first.
    rows_skipped = models.PositiveIntegerField(default=0)
    failure = models.TextField(blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rows_valid__lte=models.F("rows_total"))
                & Q(rows_imported__lte=models.F("rows_total")),
                name="import_file_counts_consistent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"


class ImportedPerson(models.Model):
    """The council's own reference for a person, and what importing it made: the
    person, and the plan (marked imported by this row) that gives their budget."""

    reference = models.CharField(max_length=50, unique=True)
    person = models.OneToOneField(
        "purse.Person", on_delete=models.PROTECT, related_name="imported_as"
    )
    plan = models.OneToOneField(
        "purse.SupportPlan", on_delete=models.PROTECT, related_name="imported_as"
    )
    source = models.ForeignKey(ImportFile, on_delete=models.PROTECT, related_name="imported")
    row_number = models.PositiveIntegerField()
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["source", "row_number"]

    def __str__(self) -> str:
        return f"{self.reference} (row {self.row_number})"
