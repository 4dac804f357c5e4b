"""Catalogue pages: the provider portal and vetting on the platform's host."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("register/", views.register, name="register"),
    path("registered/", views.registered, name="registered"),
    path("councils/", views.councils, name="councils"),
    path("documents/upload/", views.document_upload, name="document-upload"),
    path("documents/<uuid:document_id>/", views.document_download, name="document"),
    path("places/add/", views.location_edit, name="location-add"),
    path("places/<uuid:location_id>/", views.location_edit, name="location-edit"),
    path("services/add/", views.service_edit, name="service-add"),
    path("services/<uuid:service_id>/", views.service_edit, name="service-edit"),
    path("services/<uuid:service_id>/status/", views.service_status, name="service-status"),
    path("services/<uuid:service_id>/pictures/", views.service_pictures, name="service-pictures"),
    path(
        "services/<uuid:service_id>/pictures/<uuid:image_id>/",
        views.picture_file,
        name="picture",
    ),
    path(
        "services/<uuid:service_id>/pictures/<uuid:image_id>/remove/",
        views.picture_remove,
        name="picture-remove",
    ),
    path("vetting/", views.vetting, name="vetting"),
    path("vetting/<uuid:provider_id>/", views.vetting_provider, name="vetting-provider"),
    path(
        "vetting/<uuid:provider_id>/documents/<uuid:document_id>/",
        views.vetting_document,
        name="vetting-document",
    ),
    path("vetting/<uuid:provider_id>/status/", views.vetting_status, name="vetting-status"),
]
