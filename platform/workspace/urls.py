"""The council workspace, under /workspace/ on a council's host. Each section's pages
live in its own package here (workspace/<section>/); the rules they apply live in the
domain apps (purse, catalogue, tenants), in services and selectors."""

from django.urls import include, path

from . import views

app_name = "workspace"

urlpatterns = [
    path("", views.home, name="home"),
    path("caseload/", include("workspace.caseload.urls")),
    path("finance/", include("workspace.finance.urls")),
    path("administration/", include("workspace.administration.urls")),
    path("import/", include("workspace.imports.urls")),
    path("reports/", include("workspace.reports.urls")),
]
