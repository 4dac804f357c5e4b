from django.urls import path

from . import assessments, views

urlpatterns = [
    path("", views.index, name="caseload"),
    path("people/<uuid:person_id>/", views.person, name="caseload-person"),
    path(
        "people/<uuid:person_id>/assessment/",
        assessments.assessment_begin,
        name="caseload-assessment-begin",
    ),
    path("assessments/<uuid:assessment_id>/", assessments.assessment, name="caseload-assessment"),
    path(
        "assessments/<uuid:assessment_id>/eligibility/",
        assessments.eligibility,
        name="caseload-eligibility",
    ),
    path(
        "assessments/<uuid:assessment_id>/plan/",
        assessments.plan_write,
        name="caseload-plan-write",
    ),
    path("plans/", views.plans, name="caseload-plans"),
    path("plans/<uuid:plan_id>/", assessments.plan, name="caseload-plan"),
    path("plans/<uuid:plan_id>/approve/", views.plan_approve_page, name="caseload-plan-approve"),
]
