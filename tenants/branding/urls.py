from django.urls import path

from . import web

app_name = "branding"

urlpatterns = [
    path("branding.css", web.stylesheet, name="css"),
    path("branding/logo", web.logo, name="logo"),
    path("help/", web.help_page, name="help"),
    path("accessibility/", web.accessibility_statement, name="accessibility"),
    path("admin/branding/", web.branding_edit, name="edit"),
    path("admin/accessibility-statement/", web.statement_edit, name="statement-edit"),
]
