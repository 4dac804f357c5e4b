from django.urls import path

from . import views

app_name = "core"  # the same name as tenant hosts' home, so {% url 'core:home' %} works on both

urlpatterns = [path("", views.home, name="home")]
