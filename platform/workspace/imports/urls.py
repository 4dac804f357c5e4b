from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="import"),
    path("<uuid:file_id>/", views.import_file, name="import-file"),
    path("<uuid:file_id>/import/", views.import_file_start, name="import-start"),
    path("<uuid:file_id>/bad-rows.csv", views.bad_rows, name="import-bad-rows"),
]
