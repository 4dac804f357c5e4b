"""The administration section's first page: where each part of the council's set-up
is changed, and what needs a decision today."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from .support import acting_user, page, render
from .today import tasks


@page
def index(request: HttpRequest) -> HttpResponse:
    waiting = [task for task in tasks(user=acting_user(request)) if task.count]
    return render(request, "index.html", {"tasks": waiting})
