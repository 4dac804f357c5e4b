from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="reports"),
    path("spend/<slug:by>/", views.spend, name="reports-spend"),
    path("budget-holders/", views.budget_holders, name="reports-budget-holders"),
    path("market/", views.market, name="reports-market"),
    path("savings/", views.savings, name="reports-savings"),
    path("feedback/", views.feedback, name="reports-feedback"),
    path("outcomes/", views.outcomes, name="reports-outcomes"),
    path("unit-costs/", views.unit_costs, name="reports-unit-costs"),
]
