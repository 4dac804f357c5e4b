from django.urls import path

from . import views

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="auth-token"),
    path("me/", views.MeView.as_view(), name="me"),
    path("users/", views.UserList.as_view(), name="user-list"),
    path("users/<uuid:id>/", views.UserDetail.as_view(), name="user-detail"),
    path("users/<uuid:id>/deactivate/", views.UserDeactivate.as_view(), name="user-deactivate"),
]
