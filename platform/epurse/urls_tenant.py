"""URLs on a tenant host: <slug>.<PLATFORM_DOMAIN>."""

from django.urls import include, path

urlpatterns = [
    # The portal's home page is the council site's home; core's is the fallback.
    path("", include("purse.portal.urls")),
    path("", include("core.web.urls")),
    path("", include("tenants.branding.urls")),
    path("account/", include("accounts.web.urls")),
    path("purse/", include("purse.statements.urls")),
    path("workspace/", include("workspace.urls")),
    # The published performance data (GOV.UK Service Standard point 10): open to all.
    path("performance/", include("workspace.reports.performance_urls")),
    # Before api/: the Open Referral feed is open and has its own error format.
    path("api/openreferral/v3/", include(("catalogue.openreferral.urls", "openreferral"))),
    path("api/", include(("core.api.urls", "api"))),
]

handler400 = "core.web.views.bad_request"
handler403 = "core.web.views.permission_denied"
handler404 = "core.web.views.page_not_found"
handler500 = "core.web.views.server_error"
