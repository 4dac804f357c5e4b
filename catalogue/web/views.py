"""Pages on the platform's host: the provider portal (/providers/) and the operators'
vetting pages (/providers/vetting/). Thin: forms check what was typed, services decide,
selectors read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.middleware import session_start
from accounts.models import User
from accounts.permissions import PROVIDERS_VET, user_has_permission
from core.errors import DomainError
from core.services import Origin
from core.web.access import access_denied

from ..council.selectors import provider_council_decisions
from ..cqc import OGL_ATTRIBUTION, OGL_URL
from ..models import Location, Provider, Service, ServiceImage, Upload, VettingDocument
from ..selectors import price_summary
from ..services.listings import (
    location_save,
    service_image_add,
    service_image_remove,
    service_save,
    service_status_set,
)
from ..services.providers import (
    REMINDER_DAYS,
    ChecklistItem,
    provider_register,
    provider_status_change,
    vetting_checklist,
    vetting_document_review,
    vetting_document_upload,
)
from . import selectors
from .forms import (
    DocumentReviewForm,
    DocumentUploadForm,
    LocationForm,
    PictureForm,
    RegisterForm,
    ServiceForm,
    StatusChangeForm,
)

P = ParamSpec("P")
T = TypeVar("T")
PageView = Callable[Concatenate[HttpRequest, P], HttpResponse]
PortalView = Callable[Concatenate[HttpRequest, Provider, P], HttpResponse]


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - the decorators let only signed-in users in
    return user


def _deny(request: HttpRequest, reason: str) -> PermissionDenied:
    return access_denied(request, reason)


def portal(view: PortalView[P]) -> PageView[P]:
    """Signed-in members of a provider only; the view gets their provider."""

    @wraps(view)
    @never_cache
    def wrapped(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        provider = selectors.portal_provider(user=request.user)
        if provider is None:
            if user_has_permission(request.user, PROVIDERS_VET):
                return redirect("catalogue:vetting")
            raise _deny(request, "not a member of a provider")
        return view(request, provider, *args, **kwargs)

    return wrapped


def operators(view: PageView[P]) -> PageView[P]:
    """Platform operators who vet providers (providers.vet) only."""

    @wraps(view)
    @never_cache
    def wrapped(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user_has_permission(request.user, PROVIDERS_VET):
            raise _deny(request, "providers.vet needed")
        return view(request, *args, **kwargs)

    return wrapped


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int | None = None
) -> HttpResponse:
    form = context.get("form")
    if status is None:
        status = 400 if form is not None and form.errors else 200
    return render(request, f"catalogue/{template}", context, status=status)


class _ServiceForm(Protocol):
    """A form whose values go to a service, and which shows that service's refusals."""

    def is_valid(self) -> bool: ...

    def apply(self, exc: DomainError) -> None: ...


def _form_page(
    request: HttpRequest,
    form: _ServiceForm,
    template: str,
    context: dict[str, Any],
    *,
    save: Callable[[], T],
    done: Callable[[T], HttpResponse],
) -> HttpResponse:
    """Every form page: a valid POST calls the service (`save`) and, when it agrees,
    goes on to `done`; when it refuses, the form is shown again with its messages and
    the refusal's status."""
    status = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = save()
        except DomainError as exc:
            form.apply(exc)
            status = exc.status
        else:
            return done(saved)
    return _page(request, template, {"form": form, **context}, status=status)


def _success(request: HttpRequest, message: str, to: str, **kwargs: Any) -> HttpResponse:
    """Say what was done (on the next page), and go to the page named `to`."""
    messages.success(request, message)
    return redirect(to, **kwargs)


# --- Registering ------------------------------------------------------------------------


@sensitive_post_parameters("owner_password", "owner_password_confirm")
@never_cache
def register(request: HttpRequest) -> HttpResponse:
    if selectors.portal_provider(user=request.user) is not None:
        return redirect("catalogue:dashboard")
    form = RegisterForm(request.POST or None)

    def save() -> tuple[Provider, User]:
        data = form.cleaned_data
        return provider_register(
            legal_name=data["legal_name"],
            trading_name=data["trading_name"],
            companies_house_number=data["companies_house_number"],
            charity_number=data["charity_number"],
            cqc_provider_id=data["cqc_provider_id"],
            email=data["email"],
            phone=data["phone"],
            website=data["website"],
            owner_name=data["owner_name"],
            owner_email=data["owner_email"],
            owner_password=data["owner_password"],
            origin=Origin.of(request),
        )

    def done(registered: tuple[Provider, User]) -> HttpResponse:
        _provider, owner = registered
        login(request, owner, backend="django.contrib.auth.backends.ModelBackend")
        session_start(request)
        return redirect("catalogue:registered")

    return _form_page(request, form, "register.html", {}, save=save, done=done)


@portal
def registered(request: HttpRequest, provider: Provider) -> HttpResponse:
    return _page(request, "registered.html", {"provider": provider})


# --- The dashboard ----------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistRow:
    """One line of the vetting checklist, in the words people see."""

    item: ChecklistItem
    needed: str
    status: str
    tag: str  # GOV.UK tag colour modifier
    note: str

    @property
    def document(self) -> VettingDocument | None:
        return self.item.document


def _checklist_rows(provider: Provider, today: dt.date) -> list[ChecklistRow]:
    soon = today + dt.timedelta(days=max(REMINDER_DAYS))
    rows = []
    for item in vetting_checklist(provider=provider, today=today):
        doc = item.document
        needed = "Yes" if item.required else "Only if you give care that CQC regulates"
        note = ""
        if doc is None:
            status, tag = ("Not uploaded", "grey")
        elif item.expired:
            status, tag = ("Expired", "red")
            note = f"It expired on {doc.expires_on:%-d %B %Y}. Upload the current one."
        elif doc.status == VettingDocument.Status.REJECTED:
            status, tag = ("Rejected", "red")
            note = doc.review_note
        elif doc.status == VettingDocument.Status.PENDING:
            status, tag = ("Waiting for review", "blue")
        elif doc.expires_on and doc.expires_on <= soon:
            status, tag = ("Expires soon", "yellow")
            note = f"It expires on {doc.expires_on:%-d %B %Y}. Upload the new one before then."
        else:
            status, tag = ("Accepted", "green")
        rows.append(ChecklistRow(item, needed, status, tag, note))
    return rows


def _status_context(provider: Provider) -> dict[str, Any]:
    return {
        "status_tag": {
            Provider.Status.APPLIED: "blue",
            Provider.Status.UNDER_REVIEW: "light-blue",
            Provider.Status.APPROVED: "green",
            Provider.Status.REJECTED: "red",
            Provider.Status.SUSPENDED: "orange",
        }[Provider.Status(provider.status)],
    }


def _provider_context(provider: Provider) -> dict[str, Any]:
    """What the dashboard and the vetting page both show: status, checklist and places."""
    return {
        "provider": provider,
        "checklist": _checklist_rows(provider, timezone.localdate()),
        "locations": selectors.provider_locations(provider=provider),
        **_status_context(provider),
    }


@portal
def dashboard(request: HttpRequest, provider: Provider) -> HttpResponse:
    services = list(selectors.provider_services(provider=provider))
    return _page(
        request,
        "dashboard.html",
        {
            **_provider_context(provider),
            "services": [(service, price_summary(service)) for service in services],
            "ratings": selectors.provider_cqc_ratings(provider=provider),
            "ogl_attribution": OGL_ATTRIBUTION,
            "ogl_url": OGL_URL,
        },
    )


@portal
def councils(request: HttpRequest, provider: Provider) -> HttpResponse:
    return _page(
        request,
        "councils.html",
        {"provider": provider, "decisions": provider_council_decisions(provider=provider)},
    )


# --- Vetting documents ------------------------------------------------------------------


@portal
def document_upload(request: HttpRequest, provider: Provider) -> HttpResponse:
    kind = request.GET.get("kind", "")
    initial = {"kind": kind} if kind in VettingDocument.Kind.values else {}
    form = DocumentUploadForm(request.POST or None, request.FILES or None, initial=initial)
    return _form_page(
        request,
        form,
        "document_upload.html",
        {"provider": provider},
        save=lambda: vetting_document_upload(
            provider=provider,
            kind=form.cleaned_data["kind"],
            content=form.content(),
            name=form.file_name(),
            expires_on=form.cleaned_data["expires_on"],
            by=_user(request),
            origin=Origin.of(request),
        ),
        done=lambda doc: _success(
            request, f"{doc.get_kind_display()} uploaded. We will review it.", "catalogue:dashboard"
        ),
    )


def _attachment(upload: Upload) -> HttpResponse:
    response = HttpResponse(bytes(upload.content), content_type=upload.content_type)
    disposition = content_disposition_header(as_attachment=True, filename=upload.original_name)
    response["Content-Disposition"] = disposition or "attachment"
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
def document_download(request: HttpRequest, document_id: Any) -> HttpResponse:
    """A vetting document, to operators and the provider's own members; to anyone else
    it does not exist."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    doc = selectors.vetting_document_get(document_id=document_id)
    if doc is None:
        raise Http404
    if not selectors.user_may_read_documents(user=request.user, provider=doc.provider):
        _deny(request, "another provider's document")
        raise Http404  # to them, it does not exist
    return _attachment(doc.upload)


# --- Places -----------------------------------------------------------------------------


@portal
def location_edit(
    request: HttpRequest, provider: Provider, location_id: Any = None
) -> HttpResponse:
    location = None
    initial: dict[str, Any] = {"area_kind": Location.AreaKind.RADIUS}
    if location_id is not None:
        location = get_object_or_404(
            selectors.provider_locations(provider=provider), pk=location_id
        )
        initial = LocationForm.initial_for(location)
    form = LocationForm(request.POST or None, initial=initial)
    return _form_page(
        request,
        form,
        "location_form.html",
        {"provider": provider, "location": location},
        save=lambda: location_save(
            provider=provider,
            location=location,
            by=_user(request),
            origin=Origin.of(request),
            **form.values(),
        ),
        done=lambda saved: _success(request, f"{saved.name} saved.", "catalogue:dashboard"),
    )


# --- Services ---------------------------------------------------------------------------


def _service_of(provider: Provider, service_id: Any) -> Service:
    return get_object_or_404(selectors.provider_services(provider=provider), pk=service_id)


@portal
def service_edit(request: HttpRequest, provider: Provider, service_id: Any = None) -> HttpResponse:
    service = None
    initial: dict[str, Any] = {"minimum_booking": 1, "cancellation_notice_hours": 24}
    if service_id is not None:
        service = _service_of(provider, service_id)
        initial = ServiceForm.initial_for(service)
    form = ServiceForm(
        request.POST or None,
        initial=initial,
        categories=selectors.care_categories(),
        locations=selectors.provider_locations(provider=provider),
    )

    def done(saved: Service) -> HttpResponse:
        if service is None:
            return _success(
                request,
                f"{saved.name} saved as a draft. Add a picture, then publish it.",
                "catalogue:service-pictures",
                service_id=saved.pk,
            )
        return _success(request, f"{saved.name} saved.", "catalogue:dashboard")

    return _form_page(
        request,
        form,
        "service_form.html",
        {"provider": provider, "service": service, "categories": form.category_terms},
        save=lambda: service_save(
            provider=provider,
            service=service,
            by=_user(request),
            origin=Origin.of(request),
            **form.values(),
        ),
        done=done,
    )


_STATUS_DONE = {
    Service.Status.PUBLISHED: "{} is published. Councils can now approve it.",
    Service.Status.WITHDRAWN: "{} is withdrawn. People can no longer find it.",
    Service.Status.DRAFT: "{} is a draft again.",
}


@require_POST
@portal
def service_status(request: HttpRequest, provider: Provider, service_id: Any) -> HttpResponse:
    service = _service_of(provider, service_id)
    try:
        service = service_status_set(
            service=service,
            status=request.POST.get("status", ""),
            by=_user(request),
            origin=Origin.of(request),
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _STATUS_DONE[Service.Status(service.status)].format(service))
    return redirect("catalogue:dashboard")


@portal
def service_pictures(request: HttpRequest, provider: Provider, service_id: Any) -> HttpResponse:
    service = _service_of(provider, service_id)
    form = PictureForm(request.POST or None, request.FILES or None)
    return _form_page(
        request,
        form,
        "service_pictures.html",
        {
            "provider": provider,
            "service": service,
            "images": selectors.service_images(service=service),
        },
        save=lambda: service_image_add(
            service=service,
            content=form.content(),
            name=form.file_name(),
            alt_text=form.cleaned_data["alt_text"],
            by=_user(request),
            origin=Origin.of(request),
        ),
        done=lambda _image: _success(
            request, "Picture added.", "catalogue:service-pictures", service_id=service.pk
        ),
    )


@require_POST
@portal
def picture_remove(
    request: HttpRequest, provider: Provider, service_id: Any, image_id: Any
) -> HttpResponse:
    service = _service_of(provider, service_id)
    image = get_object_or_404(selectors.service_images(service=service), pk=image_id)
    service_image_remove(image=image, by=_user(request), origin=Origin.of(request))
    messages.success(request, "Picture removed.")
    return redirect("catalogue:service-pictures", service_id=service.pk)


@portal
def picture_file(
    request: HttpRequest, provider: Provider, service_id: Any, image_id: Any
) -> HttpResponse:
    """A picture as the provider uploaded it, for its own pages."""
    image: ServiceImage | None = selectors.service_image_with_content(image_id=image_id)
    if (
        image is None
        or image.service.provider_id != provider.pk
        or str(image.service_id) != str(service_id)
    ):
        raise Http404
    response = HttpResponse(bytes(image.upload.content), content_type=image.upload.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- Vetting, for platform operators ----------------------------------------------------


@operators
def vetting(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or Provider.Status.APPLIED
    if status not in Provider.Status.values:
        status = Provider.Status.APPLIED
    counts = selectors.provider_status_counts()
    return _page(
        request,
        "vetting_list.html",
        {
            "status": status,
            "status_label": Provider.Status(status).label,
            "tabs": [(value, label, counts[value]) for value, label in Provider.Status.choices],
            "providers": selectors.providers_for_vetting(status=status),
        },
    )


@operators
def vetting_provider(request: HttpRequest, provider_id: Any) -> HttpResponse:
    provider = get_object_or_404(Provider, pk=provider_id)
    return _page(
        request,
        "vetting_provider.html",
        {
            **_provider_context(provider),
            "documents": selectors.provider_documents(provider=provider),
        },
    )


@operators
def vetting_document(request: HttpRequest, provider_id: Any, document_id: Any) -> HttpResponse:
    provider = get_object_or_404(Provider, pk=provider_id)
    doc = get_object_or_404(selectors.provider_documents(provider=provider), pk=document_id)
    form = DocumentReviewForm(request.POST or None)
    return _form_page(
        request,
        form,
        "vetting_document.html",
        {"provider": provider, "document": doc},
        save=lambda: vetting_document_review(
            document=doc,
            accept=form.cleaned_data["decision"] == "accept",
            note=form.cleaned_data["note"],
            by=_user(request),
            origin=Origin.of(request),
        ),
        done=lambda reviewed: _success(
            request,
            f"{doc.get_kind_display()} {reviewed.status}.",  # "accepted" or "rejected"
            "catalogue:vetting-provider",
            provider_id=provider.pk,
        ),
    )


@operators
def vetting_status(request: HttpRequest, provider_id: Any) -> HttpResponse:
    provider = get_object_or_404(Provider, pk=provider_id)
    form = StatusChangeForm(request.POST or None, current=provider.status)
    return _form_page(
        request,
        form,
        "vetting_status.html",
        {"provider": provider, **_status_context(provider)},
        save=lambda: provider_status_change(
            provider=provider,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
            by=_user(request),
            origin=Origin.of(request),
        ),
        done=lambda changed: _success(
            request,
            f"{changed.display_name} is now {changed.get_status_display().lower()}.",
            "catalogue:vetting-provider",
            provider_id=changed.pk,
        ),
    )
