"""The council admin's forms for branding and the accessibility statement."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from core.errors import DomainError
from core.web.forms import (
    date_from_parts,
    date_part_field,
    errors_apply,
    read_upload,
    text_field,
    whole_number_field,
)

from .models import Branding


class BrandingForm(forms.Form):
    service_name = text_field("Name of the service (optional)", max_length=80)
    header_colour = text_field(
        "Header colour", required=True, max_length=20, required_message="Enter a header colour"
    )
    logo = forms.FileField(label="Upload a logo (optional)", required=False)
    remove_logo = forms.BooleanField(label="Remove the logo", required=False)
    logo_alt = text_field("Describe the logo", max_length=150)
    contact_phone = text_field("Phone number", max_length=40)
    contact_email = text_field("Email address", max_length=254)
    contact_address = forms.CharField(label="Postal address", required=False, max_length=500)
    contact_hours = text_field("Opening hours", max_length=200)
    help_text = forms.CharField(label="Help for people using the service", required=False)

    def logo_content(self) -> bytes | None:
        upload = self.files.get("logo")
        if upload is None:
            return None
        return read_upload(upload, limit=settings.IMAGE_MAX_BYTES)

    def logo_name(self) -> str:
        upload = self.files.get("logo")
        return upload.name if upload is not None and upload.name else "logo"

    def apply(self, exc: DomainError) -> None:
        errors_apply(self, exc)

    @staticmethod
    def initial_from(branding: Branding) -> dict[str, Any]:
        return {
            name: getattr(branding, name)
            for name in (
                "service_name",
                "header_colour",
                "logo_alt",
                "contact_phone",
                "contact_email",
                "contact_address",
                "contact_hours",
                "help_text",
            )
        }


_DATES = ("tested_on", "prepared_on", "reviewed_on")


class StatementForm(forms.Form):
    compliance = forms.ChoiceField(
        label="How far does the service meet WCAG 2.2 AA?",
        choices=Branding.Compliance.choices,
        error_messages={
            "required": "Choose how far the service meets the standard",
            "invalid_choice": "Choose how far the service meets the standard",
        },
    )
    problems = forms.CharField(label="What is not accessible yet", required=False)
    burden = forms.CharField(
        label="What you have not fixed because it would be a disproportionate burden",
        required=False,
    )
    plans = forms.CharField(label="What you are doing to improve accessibility", required=False)
    contact_email = text_field("Email address for accessibility problems", max_length=254)
    contact_phone = text_field("Phone number for accessibility problems", max_length=40)
    response_days = whole_number_field(
        "How many working days you take to reply",
        what="a number of working days",
        example=10,
        low=1,
        high=60,
    )
    tested_by = text_field("Who tested the service", max_length=200)
    tested_on_day = date_part_field("Day")
    tested_on_month = date_part_field("Month")
    tested_on_year = date_part_field("Year")
    prepared_on_day = date_part_field("Day")
    prepared_on_month = date_part_field("Month")
    prepared_on_year = date_part_field("Year")
    reviewed_on_day = date_part_field("Day")
    reviewed_on_month = date_part_field("Month")
    reviewed_on_year = date_part_field("Year")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["tested_on"] = date_from_parts(self, "tested_on", "The date it was tested")
        data["prepared_on"] = date_from_parts(self, "prepared_on", "The date it was prepared")
        data["reviewed_on"] = date_from_parts(self, "reviewed_on", "The date it was reviewed")
        return data

    def apply(self, exc: DomainError) -> None:
        errors_apply(self, exc, fields={f: f"{f}_day" for f in _DATES})

    @staticmethod
    def initial_from(branding: Branding) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "compliance": branding.statement_compliance,
            "problems": branding.statement_problems,
            "burden": branding.statement_burden,
            "plans": branding.statement_plans,
            "contact_email": branding.statement_contact_email,
            "contact_phone": branding.statement_contact_phone,
            "response_days": branding.statement_response_days,
            "tested_by": branding.statement_tested_by,
        }
        for name in _DATES:
            value = getattr(branding, f"statement_{name}")
            if value is not None:
                initial |= {
                    f"{name}_day": value.day,
                    f"{name}_month": value.month,
                    f"{name}_year": value.year,
                }
        return initial
