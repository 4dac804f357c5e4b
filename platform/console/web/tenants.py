"""The operator's pages about tenants: the list, onboarding, and one tenant's licence."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_tenants.utils import schema_exists, tenant_context

from billing.invoicing.models import Invoice
from billing.models import Licence, Plan
from billing.selectors import active_holders_count, licence_get, plans_current
from billing.services import licence_status_set
from core.errors import DomainError, ValidationFailed
from core.services import Origin
from core.web.access import needs
from core.web.forms import errors_apply, text_field
from tenants.branding.models import Branding
from tenants.branding.services import branding_update, header_colour_check
from tenants.models import Tenant
from tenants.selectors import tenant_base_url, tenant_list
from tenants.services import SLUG_RULES, tenant_create

OPERATE = "platform.operate"


@dataclass(frozen=True)
class TenantRow:
    tenant: Tenant
    licence: Licence | None
    invoice: Invoice | None
    health: str


def _health(tenant: Tenant) -> str:
    problems = []
    if not schema_exists(tenant.schema_name):
        problems.append("its database schema is missing")
    if not tenant.domains.exists():
        problems.append("it has no host name")
    return "Problem: " + " and ".join(problems) if problems else "Schema and host present"


def _tenants() -> list[TenantRow]:
    tenants = list(
        tenant_list()
        .exclude(schema_name=settings.TENANT_TEMPLATE_SCHEMA)
        .prefetch_related("domains")
    )
    ids = [tenant.pk for tenant in tenants]
    licences = {
        licence.tenant_id: licence
        for licence in Licence.objects.select_related("plan").filter(tenant_id__in=ids)
    }
    invoices = {
        invoice.tenant_id: invoice
        for invoice in Invoice.objects.filter(tenant_id__in=ids)
        .order_by("tenant_id", "-period_start", "-created_at")
        .distinct("tenant_id")
    }
    return [
        TenantRow(
            tenant=tenant,
            licence=licences.get(tenant.pk),
            invoice=invoices.get(tenant.pk),
            health=_health(tenant),
        )
        for tenant in tenants
    ]


@needs(OPERATE)
def tenants(request: HttpRequest) -> HttpResponse:
    return render(request, "console/tenants/list.html", {"rows": _tenants()})


class OnboardForm(forms.Form):
    name = text_field(
        "Organisation name", required=True, required_message="Enter the organisation's name"
    )
    kind = forms.ChoiceField(
        label="Kind of organisation",
        choices=[(Tenant.Kind.COUNCIL, "Council"), (Tenant.Kind.NHS, "NHS body")],
        error_messages={"required": "Choose whether it is a council or an NHS body"},
    )
    slug = text_field("Slug", required=True, max_length=40, required_message="Enter a slug")
    plan = forms.ChoiceField(
        label="Plan", error_messages={"required": "Choose the plan for the trial licence"}
    )
    admin_name = text_field(
        "First administrator's full name",
        required=True,
        required_message="Enter the first administrator's name",
    )
    admin_email = forms.EmailField(
        label="First administrator's email address",
        max_length=254,
        error_messages={
            "required": "Enter the first administrator's email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    header_colour = text_field("Header colour (optional)", max_length=20)

    def __init__(self, *args: Any, plans: list[Plan], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plans = {str(plan.public_id): plan for plan in plans}
        plan_field = cast(forms.ChoiceField, self.fields["plan"])
        plan_field.choices = [("", "Choose a plan")] + [
            (key, str(plan)) for key, plan in self.plans.items()
        ]


def _brand(*, tenant: Tenant, admin: Any, colour: str, origin: Origin) -> None:
    with tenant_context(tenant):
        current = Branding.objects.get(pk=1)
        branding_update(
            by=admin,
            service_name=current.service_name,
            header_colour=colour,
            logo_alt=current.logo_alt,
            contact_phone=current.contact_phone,
            contact_email=current.contact_email,
            contact_address=current.contact_address,
            contact_hours=current.contact_hours,
            help_text=current.help_text,
            origin=origin,
        )


@needs(OPERATE)
@require_http_methods(["GET", "POST"])
def tenant_new(request: HttpRequest) -> HttpResponse:
    plans = list(plans_current())
    form = OnboardForm(request.POST or None, plans=plans)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        colour = ""
        try:
            if data["header_colour"].strip():
                colour = header_colour_check(data["header_colour"])
            started = time.monotonic()
            onboarded = tenant_create(
                name=data["name"],
                slug=data["slug"],
                kind=data["kind"],
                admin_email=data["admin_email"],
                admin_name=data["admin_name"],
                origin=Origin.of(request),
                plan=form.plans[data["plan"]],
            )
            if colour:
                _brand(
                    tenant=onboarded.tenant,
                    admin=onboarded.admin,
                    colour=colour,
                    origin=Origin.of(request),
                )
            seconds = time.monotonic() - started
        except DomainError as error:
            errors_apply(form, error)
        else:
            return render(
                request,
                "console/tenants/onboarded.html",
                {
                    "tenant": onboarded.tenant,
                    "admin": onboarded.admin,
                    "address": tenant_base_url(onboarded.tenant),
                    "seconds": seconds,
                },
            )
    return render(
        request,
        "console/tenants/new.html",
        {
            "form": form,
            "slug_hint": (
                f"The address will be <slug>.{settings.PLATFORM_DOMAIN}. Use {SLUG_RULES}."
            ),
        },
    )


def _tenant(slug: str) -> Tenant:
    tenant = (
        tenant_list()
        .exclude(schema_name=settings.TENANT_TEMPLATE_SCHEMA)
        .filter(schema_name=slug)
        .first()
    )
    if tenant is None:
        raise Http404("No such tenant")
    return tenant


class StatusForm(forms.Form):
    reason = text_field("Reason", max_length=500)


def _detail(
    request: HttpRequest, tenant: Tenant, form: StatusForm, status: int = 200
) -> HttpResponse:
    licence = licence_get(tenant=tenant)
    return render(
        request,
        "console/tenants/detail.html",
        {
            "tenant": tenant,
            "licence": licence,
            "address": tenant_base_url(tenant),
            "health": _health(tenant),
            "holders": active_holders_count(tenant=tenant)
            if schema_exists(tenant.schema_name)
            else None,
            "invoices": Invoice.objects.filter(tenant=tenant).order_by("-period_start")[:12],
            "form": form,
        },
        status=status,
    )


@needs(OPERATE)
def tenant(request: HttpRequest, slug: str) -> HttpResponse:
    return _detail(request, _tenant(slug), StatusForm())


@needs(OPERATE)
@require_POST
def tenant_licence(request: HttpRequest, slug: str) -> HttpResponse:
    found = _tenant(slug)
    licence = licence_get(tenant=found)
    form = StatusForm(request.POST)
    if licence is None:
        raise Http404("This tenant has no licence")
    status = request.POST.get("status", "")
    if form.is_valid():
        try:
            if status not in (Licence.Status.SUSPENDED, Licence.Status.ACTIVE):
                raise ValidationFailed("Choose to suspend or resume the licence.")
            licence_status_set(
                licence=licence,
                status=status,
                reason=form.cleaned_data["reason"],
                by=request.user,
                origin=Origin.of(request),
            )
        except DomainError as error:
            errors_apply(form, error)
        else:
            return redirect("console:tenant", slug=found.schema_name)
    return _detail(request, found, form, status=400)
