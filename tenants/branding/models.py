"""How a council's service looks and how people reach it: its name, logo and header
colour, its contact details and help, and its accessibility statement. One row per
council schema (made by the migration, so every page can read it without writing)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

DEFAULT_HEADER_COLOUR = "#0b0c0c"  # GOV.UK's black: white text on it is 19.8:1


class Branding(models.Model):
    class Compliance(models.TextChoices):
        FULL = "full", "Fully compliant"
        PARTIAL = "partial", "Partially compliant"
        NOT = "not", "Not compliant"

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    # Blank: "<council name> ePurse".
    service_name = models.CharField(max_length=80, blank=True)
    header_colour = models.CharField(max_length=7, default=DEFAULT_HEADER_COLOUR)
    # The logo's bytes live here, in the council's own schema (checked as a picture by
    # catalogue.uploads.image_check); empty for none.
    logo = models.BinaryField(blank=True, default=b"")
    logo_type = models.CharField(max_length=30, blank=True)
    logo_sha256 = models.CharField(max_length=64, blank=True)
    logo_alt = models.CharField(max_length=150, blank=True)

    contact_phone = models.CharField(max_length=40, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_address = models.TextField(blank=True)
    contact_hours = models.CharField(max_length=200, blank=True)
    help_text = models.TextField(blank=True)

    # The accessibility statement (Public Sector Bodies Accessibility Regulations 2018),
    # written from these answers in the shape of GOV.UK's model statement.
    statement_compliance = models.CharField(
        max_length=10, choices=Compliance.choices, default=Compliance.PARTIAL
    )
    statement_problems = models.TextField(blank=True)  # one known problem per line
    statement_burden = models.TextField(blank=True)  # disproportionate burden, per line
    statement_plans = models.TextField(blank=True)
    statement_contact_email = models.EmailField(blank=True)
    statement_contact_phone = models.CharField(max_length=40, blank=True)
    statement_response_days = models.PositiveSmallIntegerField(default=10)
    statement_tested_on = models.DateField(null=True, blank=True)
    statement_tested_by = models.CharField(max_length=200, blank=True)
    statement_prepared_on = models.DateField(null=True, blank=True)
    statement_reviewed_on = models.DateField(null=True, blank=True)

    # Goes up with every change: the stylesheet's and the logo's addresses carry it,
    # so browsers may keep them for a long time and still see a change at once.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="branding_one_row")]

    def __str__(self) -> str:
        return self.service_name or "Branding"

    @property
    def has_logo(self) -> bool:
        return bool(self.logo_sha256)
