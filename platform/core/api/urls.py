"""The API of every host: the apps' endpoints plus the schema and docs."""

from django.urls import include, path

from .views import AuditEntryList, DocsView, SchemaView

urlpatterns = [
    path("", include("accounts.api.urls")),
    path("catalogue/", include("catalogue.api.urls")),
    path("purse/", include("purse.api.urls")),
    path("rules/", include("tenants.rules.api.urls")),
    path("audit-entries/", AuditEntryList.as_view(), name="audit-entry-list"),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
]
