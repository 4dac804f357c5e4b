"""Pages shared by every host: the signed-in home page and error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import render
from django.template.loader import render_to_string

from core.api.errors import problem_response
from core.upload_limits import upload_request_limit


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"roles": request.user.roles.all()})  # type: ignore[union-attr]


def _plain(title: str, *lines: str) -> str:
    # No request context: nothing here may touch the database or a tenant's branding.
    return render_to_string("core/plain.html", {"title": title, "lines": lines})


def unknown_host(request: HttpRequest) -> HttpResponse:
    return HttpResponseNotFound(
        _plain(
            "Page not found",
            "There is no service at this address.",
            "Check the web address you typed, or use the link your council gave you.",
        )
    )


_PAGES = {
    400: ("There is a problem with your request", ["Go back and try again."]),
    403: ("You cannot see this page", ["You do not have permission to see this page."]),
    404: (
        "Page not found",
        [
            "If you typed the web address, check it is correct.",
            "If you pasted the web address, check you copied the entire address.",
        ],
    ),
    500: (
        "Sorry, there is a problem with the service",
        ["Try again later. Nothing you have done has been lost."],
    ),
}

_API_DETAIL = {
    400: "The request could not be read.",
    403: "You do not have permission to do this.",
    404: "There is nothing at this address.",
    500: "Something went wrong on our side. Nothing was changed; try again later.",
}


def _error(request: HttpRequest, status: int) -> HttpResponse:
    if request.path.startswith("/api/"):
        return problem_response(status=status, detail=_API_DETAIL[status])
    title, paragraphs = _PAGES[status]
    return render(
        request, "core/error.html", {"title": title, "paragraphs": paragraphs}, status=status
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig) and request.method == "POST":
        return _too_large(request)
    return _error(request, 400)


def _too_large(request: HttpRequest) -> HttpResponse:
    limit = f"{upload_request_limit() / 1_000_000:g} MB"
    if request.path.startswith("/api/"):
        return problem_response(
            status=413, detail=f"The upload is too large: send files smaller than {limit}."
        )
    return render(
        request,
        "core/error.html",
        {
            "title": "The file is too large",
            "paragraphs": [f"Go back and choose a file smaller than {limit}."],
        },
        status=413,
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return problem_response(status=500, detail=_API_DETAIL[500])
    title, lines = _PAGES[500]
    return HttpResponse(_plain(title, *lines), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if request.path.startswith("/api/"):
        return problem_response(
            status=403,
            detail="CSRF check failed: send the X-CSRFToken header "
            "with session sign-in, or use a token (Authorization: Token ...).",
        )
    return render(
        request,
        "core/error.html",
        {
            "title": "Your form has expired",
            "paragraphs": [
                "For your security, forms stop working after a while. "
                "Go back, reload the page and try again."
            ],
        },
        status=403,
    )
