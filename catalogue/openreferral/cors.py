"""The Open Referral feed is open to any web page: `Access-Control-Allow-Origin: *` on
every response under its prefix (errors and redirects included, which is why this is a
middleware near the top rather than a view mixin), and a preflight answered here.

The feed is the same for everyone, so it neither reads nor sets cookies: a browser's
session cookie for the site is ignored, and nothing here can start a session or hand
out a CSRF cookie."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

PREFIX = "/api/openreferral/v3"
ALLOW_METHODS = "GET, OPTIONS"
ALLOW_HEADERS = "Accept, Accept-Language, Content-Language, Content-Type, Authorization"
PREFLIGHT_MAX_AGE_SECONDS = 86400


def in_feed(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


class OpenReferralCorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not in_feed(request.path_info):
            return self.get_response(request)
        request.META.pop("HTTP_COOKIE", None)
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Allow"] = ALLOW_METHODS
            response["Access-Control-Allow-Methods"] = ALLOW_METHODS
            response["Access-Control-Allow-Headers"] = ALLOW_HEADERS
            response["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE_SECONDS)
        else:
            response = self.get_response(request)
        response.cookies.clear()
        response["Access-Control-Allow-Origin"] = "*"
        return response
