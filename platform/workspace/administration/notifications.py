"""Notification settings: which emails the council sends, and to whom."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.services import Origin
from core.web.forms import errors_apply
from tenants.notifications.selectors import notification_settings_get
from tenants.notifications.services import notification_settings_update

from .forms import NotificationsForm
from .support import acting_user, page, render


@page
@require_http_methods(["GET", "POST"])
def settings_edit(request: HttpRequest) -> HttpResponse:
    by = acting_user(request)
    chosen = notification_settings_get()
    if request.method != "POST":
        form = NotificationsForm(initial=NotificationsForm.initial_for(chosen))
    else:
        form = NotificationsForm(request.POST)
        if form.is_valid():
            try:
                notification_settings_update(by=by, origin=Origin.of(request), **form.settings())
            except DomainError as error:
                errors_apply(form, error)
            else:
                messages.success(request, "The notification settings are saved.")
                return redirect("workspace:administration-notifications")
    return render(request, "notifications.html", {"form": form, "chosen": chosen})
