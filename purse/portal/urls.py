"""The portal's pages, on a council's host, at the top of the site."""

from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("act-for/", views.act_for, name="act-for"),
    path("act-for/stop/", views.act_for_stop, name="act-for-stop"),
    path("easy-read/", views.easy_read, name="easy-read"),
    path("services/", views.services, name="services"),
    path("services/<uuid:id>/", views.service_page, name="service"),
    path("services/<uuid:id>/order/", views.order_start, name="order"),
    path("services/<uuid:id>/feedback/", views.feedback, name="feedback"),
    path("order/check/", views.order_check, name="order-check"),
    path("orders/", views.orders, name="orders"),
    path("orders/<str:reference>/placed/", views.order_placed, name="order-placed"),
    path("orders/<str:reference>/stop/", views.order_stop_page, name="order-stop"),
    path("visits/<int:visit_id>/cancel/", views.visit_cancel_page, name="visit-cancel"),
    path("visits/<int:visit_id>/confirm/", views.visit_confirm_page, name="visit-confirm"),
    path("visits/<int:visit_id>/dispute/", views.visit_dispute_page, name="visit-dispute"),
    path("notifications/", views.notifications, name="notifications"),
    path("statement/", views.statement, name="statement"),
]
