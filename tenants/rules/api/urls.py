"""The budget rules API, under /api/rules/ (a council's host only)."""

from django.urls import path

from . import views

urlpatterns = [
    path("versions/", views.RulesVersionList.as_view(), name="rules-version-list"),
    path("versions/<int:number>/", views.RulesVersionDetail.as_view(), name="rules-version"),
    path(
        "versions/<int:number>/publish/",
        views.RulesVersionPublish.as_view(),
        name="rules-version-publish",
    ),
    path(
        "versions/<int:number>/preview/",
        views.RulesVersionPreview.as_view(),
        name="rules-version-preview",
    ),
    path(
        "versions/<int:number>/answers/<int:id>/",
        views.RulesAnswerChange.as_view(),
        name="rules-answer",
    ),
    path(
        "versions/<int:number>/adjustments/<slug:code>/",
        views.RulesAdjustmentChange.as_view(),
        name="rules-adjustment",
    ),
    path("versions/<int:number>/bands/", views.RulesBandsReplace.as_view(), name="rules-bands"),
]
