"""Pages of a council's host about the service itself: its stylesheet and logo (from
the branding), help and contact, the accessibility statement, and the council
admin's pages that change them."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from accounts.permissions import TENANT_CONFIGURE
from core.errors import DomainError
from core.services import Origin
from core.web.access import needs
from tenants.selectors import host_tenant

from . import services
from .forms import BrandingForm, StatementForm
from .selectors import branding_get, logo_get, service_name_for, statement_get

LONG_CACHE = "public, max-age=31536000, immutable"  # the address carries the version
SHORT_CACHE = "public, max-age=300"


def _cache_for(request: HttpRequest, version: int) -> str:
    return LONG_CACHE if request.GET.get("v") == str(version) else SHORT_CACHE


@require_GET
def stylesheet(request: HttpRequest) -> HttpResponse:
    """The council's colours, on top of the platform's stylesheet (a file, not an
    inline style, so a strict Content-Security-Policy works)."""
    branding = branding_get()
    css = (
        f".govuk-generic-header{{background:{branding.header_colour}}}"
        f".epurse-brand-bg{{background:{branding.header_colour}}}"
    )
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = _cache_for(request, branding.version)
    return response


@require_GET
def logo(request: HttpRequest) -> HttpResponse:
    found = logo_get()
    if found is None:
        return HttpResponseNotFound("No logo", content_type="text/plain")
    content, content_type, sha256 = found
    etag = f'"{sha256}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(content, content_type=content_type)
        response["Content-Length"] = str(len(content))
    response["ETag"] = etag
    response["Cache-Control"] = _cache_for(request, branding_get().version)
    return response


def help_page(request: HttpRequest) -> HttpResponse:
    """Help and contact: the same link in the footer of every page."""
    branding = branding_get()
    paragraphs = [p.strip() for p in branding.help_text.split("\n\n") if p.strip()]
    return render(request, "branding/help.html", {"branding": branding, "paragraphs": paragraphs})


def accessibility_statement(request: HttpRequest) -> HttpResponse:
    tenant = host_tenant(request)
    organisation = tenant.name if tenant is not None else ""
    statement = statement_get(
        service_name=service_name_for(branding=branding_get(), organisation=organisation),
        organisation=organisation,
    )
    return render(request, "branding/accessibility.html", {"statement": statement})


@needs(TENANT_CONFIGURE)
def branding_edit(request: HttpRequest) -> HttpResponse:
    branding = branding_get()
    if request.method != "POST":
        form = BrandingForm(initial=BrandingForm.initial_from(branding))
        return render(request, "branding/edit.html", {"form": form, "branding": branding})
    form = BrandingForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.branding_update(
                by=request.user,
                service_name=data["service_name"],
                header_colour=data["header_colour"],
                logo_alt=data["logo_alt"],
                contact_phone=data["contact_phone"],
                contact_email=data["contact_email"],
                contact_address=data["contact_address"],
                contact_hours=data["contact_hours"],
                help_text=data["help_text"],
                logo_content=form.logo_content(),
                logo_name=form.logo_name(),
                remove_logo=data["remove_logo"],
                origin=Origin.of(request),
            )
        except DomainError as error:
            form.apply(error)
        else:
            messages.success(request, "The branding has been saved.")
            return redirect("branding:edit")
    return render(request, "branding/edit.html", {"form": form, "branding": branding}, status=400)


@needs(TENANT_CONFIGURE)
def statement_edit(request: HttpRequest) -> HttpResponse:
    branding = branding_get()
    if request.method != "POST":
        form = StatementForm(initial=StatementForm.initial_from(branding))
        return render(request, "branding/statement_edit.html", {"form": form})
    form = StatementForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.statement_update(
                by=request.user,
                compliance=data["compliance"],
                problems=data["problems"],
                burden=data["burden"],
                plans=data["plans"],
                contact_email=data["contact_email"],
                contact_phone=data["contact_phone"],
                response_days=data["response_days"],
                tested_on=data["tested_on"],
                tested_by=data["tested_by"],
                prepared_on=data["prepared_on"],
                reviewed_on=data["reviewed_on"],
                origin=Origin.of(request),
            )
        except DomainError as error:
            form.apply(error)
        else:
            messages.success(request, "The accessibility statement has been saved.")
            return redirect("branding:accessibility")
    return render(request, "branding/statement_edit.html", {"form": form}, status=400)
