"""The personal budgets API, under /api/purse/ (a council's host only)."""

from django.urls import path

from ..statements import urls as statement_urls
from . import payouts, provider, surplus, views

urlpatterns = [
    path("me/", views.PersonOwn.as_view(), name="purse-me"),
    path("represented/", views.PeopleRepresented.as_view(), name="purse-represented"),
    path("people/", views.PersonList.as_view(), name="purse-person-list"),
    path("people/<uuid:id>/", views.PersonDetail.as_view(), name="purse-person"),
    path(
        "people/<uuid:id>/representatives/",
        views.RepresentativeAdd.as_view(),
        name="purse-representative-add",
    ),
    path(
        "representatives/<int:id>/end/",
        views.RepresentativeEnd.as_view(),
        name="purse-representative-end",
    ),
    path(
        "people/<uuid:id>/support-workers/",
        views.SupportWorkerAssign.as_view(),
        name="purse-support-worker-assign",
    ),
    path(
        "support-workers/<int:id>/end/",
        views.SupportWorkerEnd.as_view(),
        name="purse-support-worker-end",
    ),
    path("people/<uuid:id>/consents/", views.PersonConsents.as_view(), name="purse-consents"),
    path("assessments/", views.AssessmentStart.as_view(), name="purse-assessment-start"),
    path("assessments/<uuid:id>/", views.AssessmentDetail.as_view(), name="purse-assessment"),
    path(
        "assessments/<uuid:id>/answers/",
        views.AssessmentAnswerSet.as_view(),
        name="purse-assessment-answer",
    ),
    path(
        "assessments/<uuid:id>/eligibility/",
        views.AssessmentEligibility.as_view(),
        name="purse-assessment-eligibility",
    ),
    path(
        "assessments/<uuid:id>/complete/",
        views.AssessmentComplete.as_view(),
        name="purse-assessment-complete",
    ),
    path("plans/", views.PlanListCreate.as_view(), name="purse-plan-list"),
    path("plans/<uuid:id>/", views.PlanDetail.as_view(), name="purse-plan"),
    path("plans/<uuid:id>/approve/", views.PlanApprove.as_view(), name="purse-plan-approve"),
    path(
        "plans/<uuid:id>/reviews/",
        views.PlanReviewTrigger.as_view(),
        name="purse-plan-review-trigger",
    ),
    path("budgets/", views.BudgetList.as_view(), name="purse-budget-list"),
    path("budgets/<int:id>/payments/", views.BudgetPayment.as_view(), name="purse-budget-payment"),
    path(
        "budgets/<int:id>/contributions/",
        views.BudgetContribution.as_view(),
        name="purse-budget-contribution",
    ),
    path("reviews/", views.ReviewList.as_view(), name="purse-review-list"),
    path(
        "reviews/<int:id>/complete/", views.ReviewComplete.as_view(), name="purse-review-complete"
    ),
    path("challenges/", views.ChallengeRaise.as_view(), name="purse-challenge-raise"),
    path(
        "challenges/<int:id>/decision/",
        views.ChallengeDecide.as_view(),
        name="purse-challenge-decide",
    ),
    path("provider/orders/", provider.ProviderOrders.as_view(), name="purse-provider-orders"),
    path("orders/", views.OrderList.as_view(), name="purse-order-list"),
    path("orders/<uuid:id>/", views.OrderDetail.as_view(), name="purse-order"),
    path("orders/<uuid:id>/cancel/", views.OrderCancel.as_view(), name="purse-order-cancel"),
    path("visits/<int:id>/cancel/", views.VisitCancel.as_view(), name="purse-visit-cancel"),
    path("visits/<int:id>/confirm/", views.VisitConfirm.as_view(), name="purse-visit-confirm"),
    path("visits/<int:id>/dispute/", views.VisitDispute.as_view(), name="purse-visit-dispute"),
    path("visits/<int:id>/settle/", views.VisitSettle.as_view(), name="purse-visit-settle"),
]

# Surplus notices and their recovery (purse.surplus).
urlpatterns += [
    path("me/surplus-notices/", surplus.SurplusNoticesOwn.as_view(), name="purse-surplus-own"),
    path("surplus-notices/", surplus.SurplusNoticeList.as_view(), name="purse-surplus-list"),
    path(
        "surplus-notices/<uuid:id>/",
        surplus.SurplusNoticeDetail.as_view(),
        name="purse-surplus-notice",
    ),
    path(
        "surplus-notices/<uuid:id>/reconsideration/",
        surplus.SurplusReconsideration.as_view(),
        name="purse-surplus-reconsideration",
    ),
    path(
        "surplus-notices/<uuid:id>/decision/",
        surplus.SurplusDecision.as_view(),
        name="purse-surplus-decision",
    ),
    path(
        "surplus-notices/<uuid:id>/reverse/",
        surplus.SurplusReverse.as_view(),
        name="purse-surplus-reverse",
    ),
]

# Paying providers (purse.payouts): finance on the council's host; PayPal's webhook on
# the platform's host.
urlpatterns += [
    path("payouts/", payouts.BatchList.as_view(), name="purse-payout-list"),
    path("payouts/<uuid:id>/", payouts.BatchDetail.as_view(), name="purse-payout"),
    path("payouts/<uuid:id>/return/", payouts.BatchReturn.as_view(), name="purse-payout-return"),
    path("payment-files/", payouts.PaymentFileList.as_view(), name="purse-payment-file-list"),
    path(
        "payment-files/<uuid:id>/csv/",
        payouts.PaymentFileDownload.as_view(),
        name="purse-payment-file-csv",
    ),
    path(
        "payment-files/<uuid:id>/paid/",
        payouts.PaymentFilePaid.as_view(),
        name="purse-payment-file-paid",
    ),
    path(
        "reconciliation/exceptions/",
        payouts.ExceptionList.as_view(),
        name="purse-reconciliation-exception-list",
    ),
    path(
        "reconciliation/exceptions/<uuid:id>/resolve/",
        payouts.ExceptionResolve.as_view(),
        name="purse-reconciliation-exception-resolve",
    ),
    path("paypal/webhook/", payouts.PayPalWebhook.as_view(), name="purse-paypal-webhook"),
]

# Statements: JSON, CSV and PDF (purse/statements/urls.py).
urlpatterns += statement_urls.api_urlpatterns
