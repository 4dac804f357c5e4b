from django.http import HttpRequest, HttpResponse

from core.web.access import signed_in

from .pages import workspace_render
from .sections import tasks_for


@signed_in
def home(request: HttpRequest) -> HttpResponse:
    return workspace_render(
        request, "workspace/home.html", {"today": tasks_for(user=request.user)}, section="home"
    )
