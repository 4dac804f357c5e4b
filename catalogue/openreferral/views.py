"""The Open Referral UK v3 endpoints. Plain Django views, not DRF: the feed is open to
anyone, so there is no authentication to run (an Authorization header is ignored, never
a 401) and it is described by the profile's own OpenAPI, not the platform's schema."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from core.api.errors import PROBLEM_CONTENT_TYPE, problem
from core.errors import DomainError

from . import presenters, selectors
from .params import paging_parse, service_query_parse

ENDPOINTS = (
    "/",
    "/services",
    "/services/{id}",
    "/taxonomies",
    "/taxonomies/{id}",
    "/taxonomy_terms",
    "/taxonomy_terms/{id}",
    "/service_at_locations",
    "/service_at_locations/{id}",
)


class NotFound(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def problem_json(
    *, status: int, detail: str, errors: dict[str, list[str]] | None = None, **extra: Any
) -> JsonResponse:
    return JsonResponse(
        problem(status=status, detail=detail, errors=errors, **extra),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )


def _id(raw: str, what: str) -> uuid.UUID:
    # An id that is not a UUID cannot name anything here: the same 404 as an unknown one.
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise NotFound(_missing(what, raw)) from None


def _missing(what: str, raw: str) -> str:
    return f"There is no {what} with id {raw!r} in this directory."


def _found(value: Any, what: str, raw: str) -> Any:
    if value is None:
        raise NotFound(_missing(what, raw))
    return value


@method_decorator(csrf_exempt, name="dispatch")  # read-only: nothing for CSRF to protect
class FeedView(View):
    http_method_names = ["get", "head", "options"]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return super().dispatch(request, *args, **kwargs)
        except NotFound as exc:
            return problem_json(status=404, detail=exc.detail)
        except DomainError as exc:
            return problem_json(
                status=exc.status,
                detail=exc.detail,
                errors=exc.field_errors,
                code=exc.code,
                title=exc.title,
            )

    def answer(self, request: HttpRequest, pk: str | None) -> dict[str, Any]:
        raise NotImplementedError

    def get(self, request: HttpRequest, pk: str | None = None) -> HttpResponse:
        return JsonResponse(self.answer(request, pk))

    def http_method_not_allowed(
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        response = problem_json(status=405, detail="The Open Referral feed is read-only: use GET.")
        response["Allow"] = "GET, HEAD, OPTIONS"
        return response


class ApiInfo(FeedView):
    def answer(self, request: HttpRequest, pk: str | None) -> dict[str, Any]:
        return presenters.api_info()


class ServiceList(FeedView):
    def answer(self, request: HttpRequest, pk: str | None) -> dict[str, Any]:
        paging, filters = service_query_parse(request.GET, places=False)
        page = selectors.page_of(selectors.feed_services(filters=filters, places=False), paging)
        return presenters.page_body(page, [presenters.service_summary(s) for s in page.items])


class ServiceDetail(FeedView):
    def answer(self, request: HttpRequest, pk: str | None) -> dict[str, Any]:
        raw = pk or ""
        service = selectors.feed_service_get(service_id=_id(raw, "service"))
        return presenters.service_full(_found(service, "service", raw))


class ServiceAtLocationList(FeedView):
    def answer(self, request: HttpRequest, pk: str | None) -> dict[str, Any]:
        paging, filters = service_query_parse(request.GET, places=True)
        page = selectors.page_of(selectors.feed_services(filters=filters, places=True), paging)
        return presenters.page_body(
            page, [presenters.service_at_location_summary(s) for s in page.items]
        )


class ServiceAtLocationDetail(FeedView):
    def answer(self, request: HttpRequest, pk: str | None) -> dict[str, Any]:
        raw = pk or ""
        what = "service_at_location"
        service = selectors.feed_service_at_location_get(service_at_location_id=_id(raw, what))
        return presenters.service_at_location_full(_found(service, what, raw))


class TaxonomyList(FeedView):
    def answer(self, request: HttpRequest, pk: str | None) -> dict[str, Any]:
        page = selectors.page_of(selectors.feed_taxonomies(), paging_parse(request.GET))
        return presenters.page_body(page, [presenters.taxonomy(t) for t in page.items])


class TaxonomyDetail(FeedView):
    def answer(self, request: HttpRequest, pk: str | None) -> dict[str, Any]:
        raw = pk or ""
        tax = selectors.feed_taxonomy_get(taxonomy_id=_id(raw, "taxonomy"))
        return presenters.taxonomy(_found(tax, "taxonomy", raw), with_terms=True)


class TaxonomyTermList(FeedView):
    def answer(self, request: HttpRequest, pk: str | None) -> dict[str, Any]:
        page = selectors.page_of(selectors.feed_taxonomy_terms(), paging_parse(request.GET))
        return presenters.page_body(page, [presenters.taxonomy_term(t) for t in page.items])


class TaxonomyTermDetail(FeedView):
    def answer(self, request: HttpRequest, pk: str | None) -> dict[str, Any]:
        raw = pk or ""
        term = selectors.feed_taxonomy_term_get(term_id=_id(raw, "taxonomy_term"))
        return presenters.taxonomy_term(_found(term, "taxonomy_term", raw))


@csrf_exempt
def unknown_endpoint(request: HttpRequest, rest: str = "") -> HttpResponse:
    return problem_json(
        status=404,
        detail="There is no such endpoint in the Open Referral feed. It has: "
        + ", ".join(ENDPOINTS),
    )
