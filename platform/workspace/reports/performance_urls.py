"""The published performance-data page, open to everyone."""

from django.urls import path

from . import views

app_name = "performance"

urlpatterns = [path("", views.performance, name="index")]
