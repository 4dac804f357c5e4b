from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="finance"),
    path("top-ups/", views.topups, name="finance-topups"),
    path("top-ups/<uuid:run_id>/", views.topup_run, name="finance-topup-run"),
    path(
        "top-ups/<uuid:run_id>/approve/",
        views.topup_run_approve_page,
        name="finance-topup-run-approve",
    ),
    path("payments/", views.payouts, name="finance-payouts"),
    path("payments/<uuid:batch_id>/", views.payout, name="finance-payout"),
    path("payment-files/<uuid:file_id>/", views.payment_file, name="finance-payment-file"),
    path(
        "payment-files/<uuid:file_id>/paid/",
        views.payment_file_paid_page,
        name="finance-payment-file-paid",
    ),
    path("reconciliation/", views.exceptions, name="finance-exceptions"),
    path(
        "reconciliation/<uuid:exception_id>/",
        views.exception_resolve_page,
        name="finance-exception-resolve",
    ),
    path("surplus/", views.surplus, name="finance-surplus"),
    path("surplus/<uuid:notice_id>/", views.surplus_notice, name="finance-surplus-notice"),
    path("export/", views.export, name="finance-export"),
]
