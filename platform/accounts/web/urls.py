from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.sign_in, name="login"),
    path("sign-out/", views.sign_out, name="logout"),
    path("two-factor/", views.two_factor, name="two-factor"),
    path("reset-password/", views.password_reset, name="password-reset"),
    path("set-password/<uuid:user_id>/", views.set_password, name="set-password"),
    path(
        "set-password/<uuid:user_id>/<str:token>/",
        views.set_password_link,
        name="set-password-link",
    ),
]
