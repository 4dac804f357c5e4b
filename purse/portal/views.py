"""The portal's pages: thin views over the purse, catalogue and orders services. Every
page works as plain HTML forms (no JavaScript needed); every money-moving form is
posted once (core.idempotency.idempotent_once), and every page checks afresh whom the
user acts for (acting.acting_get)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from catalogue.council.reviews import review_submit
from catalogue.postcodes import PostcodeLookupUnavailable, postcode_lookup
from catalogue.selectors import Near, service_cards, service_search, service_visible_get
from catalogue.vocab import WEEKDAYS
from core.dates import format_date
from core.errors import DomainError
from core.idempotency import idempotent_once
from core.money import format_pence
from core.services import Origin
from workspace.sections import sections_for

from ..orders.models import Order, Visit
from ..orders.services import (
    order_cancel,
    order_place,
    order_quote,
    visit_cancel,
    visit_confirm,
    visit_dispute,
)
from ..selectors import PersonNotFound
from . import selectors
from .acting import Acting, acting_choices, acting_get, acting_start, acting_stop
from .forms import DisputeForm, FeedbackForm, OrderForm, SearchForm, price_label
from .notifications import notifications_for
from .picture import purse_picture_svg
from .summary import purse_summary

P = ParamSpec("P")
DRAFT_KEY = "epurse.order_draft"
EASY_READ_KEY = "epurse.easy_read"
PER_PAGE = 10


def _page(request: HttpRequest, template: str, context: dict[str, Any], **kw: Any) -> HttpResponse:
    acting: Acting | None = context.get("acting")
    context.setdefault("easy_read", easy_read_on(request, acting))
    return render(request, template, context, **kw)


def easy_read_on(request: HttpRequest, acting: Acting | None) -> bool:
    """The person's own choice on this device, else their recorded communication needs."""
    chosen = request.session.get(EASY_READ_KEY)
    if chosen is not None:
        return bool(chosen)
    return acting is not None and "easy_read" in (acting.person.communication_needs or [])


def for_person(
    reading: str,
) -> Callable[
    [Callable[Concatenate[HttpRequest, Acting, P], HttpResponse]],
    Callable[Concatenate[HttpRequest, P], HttpResponse],
]:
    """A page about someone's purse: signed in, and acting for a person (asked to choose
    whom, when there is a choice to make)."""

    def decorate(
        view: Callable[Concatenate[HttpRequest, Acting, P], HttpResponse],
    ) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
        @wraps(view)
        @never_cache
        def wrapped(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            acting = acting_get(request, reading=reading)
            if acting is None:
                if acting_choices(user=request.user):
                    return redirect(f"{reverse('portal:act-for')}?next={request.path}")
                raise Http404("Nobody to act for")
            return view(request, acting, *args, **kwargs)

        return wrapped

    return decorate


# --- Home and whom you act for ------------------------------------------------------


@never_cache
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    acting = acting_get(request, reading="home")
    if acting is None:
        choices = acting_choices(user=request.user)
        return _page(
            request,
            "purse/portal/staff_home.html",
            {
                "roles": request.user.roles.all(),
                "has_choices": bool(choices),
                "has_workspace": bool(sections_for(user=request.user)),
            },
        )
    summary = purse_summary(person=acting.person)
    sentence = selectors.money_sentence(summary=summary, acting=acting)
    return _page(
        request,
        "purse/portal/home.html",
        {
            "acting": acting,
            "summary": summary,
            "sentence": sentence,
            "picture": purse_picture_svg(
                available=summary.available_pence,
                held=summary.held_pence,
                spent=summary.spent_pence,
                description=selectors.picture_description(summary=summary),
            ),
            "points": selectors.home_points(summary=summary),
            "upcoming": selectors.visits_upcoming(person=acting.person)[:3],
        },
    )


@never_cache
def act_for(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    choices = acting_choices(user=request.user)
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    error = ""
    if request.method == "POST":
        chosen = request.POST.get("person", "")
        try:
            acting_start(request, public_id=chosen)
        except (PersonNotFound, ValueError):
            error = "Choose the person you are helping today"
        else:
            return redirect(next_url)
    current = acting_get(request, reading="act for") if not error else None
    return _page(
        request,
        "purse/portal/act_for.html",
        {"choices": choices, "next": next_url, "error": error, "current": current},
        status=400 if error else 200,
    )


@require_POST
def act_for_stop(request: HttpRequest) -> HttpResponse:
    acting_stop(request)
    return redirect("portal:act-for" if request.user.is_authenticated else "/")


@require_POST
def easy_read(request: HttpRequest) -> HttpResponse:
    request.session[EASY_READ_KEY] = request.POST.get("on") == "1"
    back = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/"
    return redirect(back)


# --- Finding services -------------------------------------------------------------


def _home_near(acting: Acting, within: str) -> tuple[Near | None, str]:
    """Where home is, for distances, and a note when it cannot be used."""
    if not acting.person.postcode:
        return None, "Distances are not shown because there is no home postcode on record."
    try:
        place = postcode_lookup(postcode=acting.person.postcode)
    except PostcodeLookupUnavailable:
        return None, "Distances cannot be worked out just now. Try again later."
    except DomainError:
        return None, "Distances are not shown because the home postcode was not found."
    return Near(place.latitude, place.longitude, float(within) if within else None), ""


@for_person("service search")
def services(request: HttpRequest, acting: Acting) -> HttpResponse:
    form = SearchForm(request.GET or None, categories=selectors.categories())
    context: dict[str, Any] = {"acting": acting, "form": form}
    if request.GET and not form.is_valid():
        return _page(request, "purse/portal/services.html", context, status=400)
    data = form.cleaned_data if request.GET else {}
    near, note = _home_near(acting, data.get("within") or "")
    if near is None and data.get("within"):
        form.add_error("within", note or "Distances cannot be used just now")
        return _page(request, "purse/portal/services.html", context, status=400)
    results = service_search(
        text=data.get("q") or "",
        category=data.get("category") or None,
        max_price_pence=data.get("max_price"),
        min_rating=data.get("min_rating") or None,
        near=near,
        weekday=WEEKDAYS.get(data.get("day") or ""),
        language=data.get("language") or None,
        accessibility=data.get("accessibility") or None,
        sort=data.get("sort") or "relevance",
    )
    page = Paginator(results, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context |= {
        "page": page,
        "cards": service_cards(services=list(page.object_list)),
        "note": note,
        "query": query.urlencode(),
    }
    return _page(request, "purse/portal/services.html", context)


def _service_or_404(service_id: uuid.UUID, near: Near | None = None) -> Any:
    service = service_visible_get(service_id=service_id, near=near)
    if service is None:
        raise Http404("No such service here")
    return service


@for_person("service page")
def service_page(request: HttpRequest, acting: Acting, id: uuid.UUID) -> HttpResponse:
    near, _ = _home_near(acting, "")
    service = _service_or_404(id, near)
    card = service_cards(services=[service])[0]
    return _page(
        request,
        "purse/portal/service.html",
        {
            "acting": acting,
            "service": service,
            "card": card,
            "prices": [price_label(p) for p in service.prices.all()],
            "reviews": selectors.reviews_published(service=service),
        },
    )


# --- Ordering ---------------------------------------------------------------------


@for_person("order form")
def order_start(request: HttpRequest, acting: Acting, id: uuid.UUID) -> HttpResponse:
    service = _service_or_404(id)
    if not acting.may_order:
        return _page(request, "purse/portal/cannot_order.html", {"acting": acting}, status=403)
    draft = request.session.get(DRAFT_KEY) or {}
    initial = draft.get("form") if draft.get("service") == str(service.pk) else None
    form = OrderForm(request.POST or None, initial=initial, service=service)
    context = {"acting": acting, "service": service, "form": form}
    if request.method != "POST":
        return _page(request, "purse/portal/order.html", context)
    if form.is_valid():
        price = form.price()
        try:
            order_quote(
                **_order_args(acting, service.pk, form.cleaned_data, price), by=request.user
            )
        except DomainError as exc:
            form.apply(exc)
        else:
            request.session[DRAFT_KEY] = {
                "service": str(service.pk),
                "person": str(acting.person.public_id),
                "form": {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"},
                "key": str(uuid.uuid4()),
            }
            return redirect("portal:order-check")
    return _page(request, "purse/portal/order.html", context, status=400)


def _order_args(
    acting: Acting, service_id: Any, data: dict[str, Any], price: Any
) -> dict[str, Any]:
    return {
        "person": acting.person,
        "service_id": service_id,
        "price_option_id": price.pk if price else None,
        "units": data["units"],
        "starts_on": data["starts_on"],
        "at": data["at"],
        "frequency": data["frequency"],
    }


def _draft_form(request: HttpRequest, acting: Acting) -> tuple[dict[str, Any], Any, OrderForm]:
    draft = request.session.get(DRAFT_KEY)
    if not draft or draft.get("person") != str(acting.person.public_id):
        raise Http404("No order to check")
    service = _service_or_404(uuid.UUID(draft["service"]))
    form = OrderForm(draft["form"], service=service)
    return draft, service, form


@for_person("checking an order")
def order_check(request: HttpRequest, acting: Acting) -> HttpResponse:
    """Check your answers: what the order costs and leaves; confirming places it once."""
    try:
        draft, service, form = _draft_form(request, acting)
    except Http404:
        return redirect("portal:services")
    if not form.is_valid():
        return redirect("portal:order", id=service.pk)
    if draft.get("placed"):
        return redirect("portal:order-placed", reference=draft["placed"])
    args = _order_args(acting, service.pk, form.cleaned_data, form.price())
    try:
        if request.method == "POST":
            # A second press of the button (or a retry) gets the first one's order.
            fingerprint = hashlib.sha256(repr(sorted(draft["form"].items())).encode()).hexdigest()
            reference = idempotent_once(
                user_id=request.user.public_id,  # type: ignore[union-attr]
                key=f"portal-order:{draft['key']}",
                fingerprint=fingerprint,
                run=lambda: (
                    order_place(**args, by=request.user, origin=Origin.of(request)).reference
                ),
            )
            request.session[DRAFT_KEY] = draft | {"placed": reference}
            return redirect("portal:order-placed", reference=reference)
        quote = order_quote(**args, by=request.user)
    except DomainError as exc:
        # Things changed since the form was filled in (the money, the council's approval).
        return _page(
            request,
            "purse/portal/order_problem.html",
            {"acting": acting, "service": service, "problem": exc.detail},
            status=409,
        )
    return _page(
        request,
        "purse/portal/order_check.html",
        {
            "acting": acting,
            "service": service,
            "quote": quote,
            "price": price_label(quote.price),
            "units": form.cleaned_data["units"],
            "at": form.cleaned_data["at"],
            "unbooked": len(quote.days) - len(quote.affordable_days),
        },
    )


@for_person("order placed")
def order_placed(request: HttpRequest, acting: Acting, reference: str) -> HttpResponse:
    order = _order(acting, reference)
    return _page(
        request,
        "purse/portal/order_placed.html",
        {"acting": acting, "order": order, "visits": list(order.visits.order_by("on"))},
    )


# --- My orders ----------------------------------------------------------------------


@for_person("my orders")
def orders(request: HttpRequest, acting: Acting) -> HttpResponse:
    return _page(
        request,
        "purse/portal/orders.html",
        {"acting": acting, "groups": selectors.orders_grouped(person=acting.person)},
    )


def _order(acting: Acting, reference: str) -> Order:
    order = selectors.order_for(person=acting.person, reference=reference)
    if order is None:
        raise Http404("No such order")
    return order


def _visit(acting: Acting, visit_id: int) -> Visit:
    visit = selectors.visit_for(person=acting.person, visit_id=visit_id)
    if visit is None:
        raise Http404("No such visit")
    return visit


def _confirm_then_do(
    request: HttpRequest,
    *,
    template: str,
    context: dict[str, Any],
    act: Callable[[], Any],
    done: str,
) -> HttpResponse:
    """A page that asks "are you sure?" and, when posted, does it (cancel a visit,
    confirm a delivery, stop an order); a refusal is shown on the same page."""
    if request.method == "POST":
        try:
            act()
        except PersonNotFound:
            raise Http404 from None
        except DomainError as exc:
            return _page(request, template, context | {"problem": exc.detail}, status=409)
        messages.success(request, done)
        return redirect("portal:orders")
    return _page(request, template, context)


@for_person("cancel a visit")
def visit_cancel_page(request: HttpRequest, acting: Acting, visit_id: int) -> HttpResponse:
    visit = _visit(acting, visit_id)
    done = f"The visit on {format_date(visit.on)} is cancelled."
    if visit.hold_id:
        done += f" {format_pence(visit.amount_pence)} went back to the purse."
    return _confirm_then_do(
        request,
        template="purse/portal/visit_cancel.html",
        context={"acting": acting, "visit": visit, "order": visit.order},
        act=lambda: visit_cancel(visit=visit, by=request.user, origin=Origin.of(request)),
        done=done,
    )


@for_person("confirm a visit")
def visit_confirm_page(request: HttpRequest, acting: Acting, visit_id: int) -> HttpResponse:
    visit = _visit(acting, visit_id)
    return _confirm_then_do(
        request,
        template="purse/portal/visit_confirm.html",
        context={"acting": acting, "visit": visit, "order": visit.order},
        act=lambda: visit_confirm(visit=visit, by=request.user, origin=Origin.of(request)),
        done="Thank you. The visit is confirmed and the provider will be paid.",
    )


@for_person("dispute a visit")
def visit_dispute_page(request: HttpRequest, acting: Acting, visit_id: int) -> HttpResponse:
    visit = _visit(acting, visit_id)
    form = DisputeForm(request.POST or None)
    context = {"acting": acting, "visit": visit, "order": visit.order, "form": form}
    if request.method == "POST" and form.is_valid():
        try:
            visit_dispute(
                visit=visit,
                reason=form.cleaned_data["reason"],
                by=request.user,
                origin=Origin.of(request),
            )
        except PersonNotFound:
            raise Http404 from None
        except DomainError as exc:
            form.apply(exc)
        else:
            messages.success(
                request,
                (
                    "Thank you for telling us. The council will look at the visit; "
                    "the provider is not paid until it decides."
                ),
            )
            return redirect("portal:orders")
    status = 400 if request.method == "POST" else 200
    return _page(request, "purse/portal/visit_dispute.html", context, status=status)


@for_person("stop an order")
def order_stop_page(request: HttpRequest, acting: Acting, reference: str) -> HttpResponse:
    order = _order(acting, reference)
    return _confirm_then_do(
        request,
        template="purse/portal/order_stop.html",
        context={"acting": acting, "order": order},
        act=lambda: order_cancel(order=order, by=request.user, origin=Origin.of(request)),
        done=(
            f"Order {order.reference} is stopped. The money held for its visits is back in "
            "the purse."
        ),
    )


# --- Feedback, notifications, statements ----------------------------------------------


@for_person("feedback")
def feedback(request: HttpRequest, acting: Acting, id: uuid.UUID) -> HttpResponse:
    service = _service_or_404(id)
    form = FeedbackForm(request.POST or None)
    context = {"acting": acting, "service": service, "form": form}
    if request.method == "POST" and form.is_valid():
        person_user = acting.person.user
        try:
            review_submit(
                service=service,
                author=request.user,  # type: ignore[arg-type]
                rating=int(form.cleaned_data["rating"]),
                comment=form.cleaned_data["comment"],
                on_behalf_of=person_user if acting.for_someone_else else None,
                origin=Origin.of(request),
            )
        except DomainError as exc:
            form.apply(exc)
        else:
            messages.success(
                request, ("Thank you. The council checks each review before it is shown to others.")
            )
            return redirect("portal:service", id=service.pk)
    status = 400 if request.method == "POST" else 200
    return _page(request, "purse/portal/feedback.html", context, status=status)


@for_person("notifications")
def notifications(request: HttpRequest, acting: Acting) -> HttpResponse:
    return _page(
        request,
        "purse/portal/notifications.html",
        {"acting": acting, "notifications": notifications_for(person=acting.person)},
    )


@for_person("statement")
def statement(request: HttpRequest, acting: Acting) -> HttpResponse:
    if acting.basis == "self":
        return redirect("statements:my-statement")
    return redirect("statements:statement", id=acting.person.public_id)
