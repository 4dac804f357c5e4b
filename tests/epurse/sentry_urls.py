"""The tenant URLs plus one view that fails, for the error-reporting test."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def fail(request: HttpRequest) -> HttpResponse:
    email = request.POST.get("email", "")
    raise ValueError(f"could not plan care for {email}, NHS number 943 476 5919")


urlpatterns = [
    path("fail/", fail),
    path("", include("epurse.urls_tenant")),
]
handler500 = "core.web.views.server_error"
