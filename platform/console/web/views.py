from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.permissions import PROVIDERS_VET, user_has_permission
from catalogue.selectors import provider_for_user


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "console/home.html",
        {
            "provider": provider_for_user(user=request.user),
            "can_vet": user_has_permission(request.user, PROVIDERS_VET),
            "can_operate": user_has_permission(request.user, "platform.operate"),
        },
    )
