from django.urls import path

from . import tenants, views

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("tenants/", tenants.tenants, name="tenants"),
    path("tenants/new/", tenants.tenant_new, name="tenant-new"),
    path("tenants/<slug:slug>/", tenants.tenant, name="tenant"),
    path("tenants/<slug:slug>/licence/", tenants.tenant_licence, name="tenant-licence"),
]
