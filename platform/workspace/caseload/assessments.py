"""The care manager's flow from a needs assessment to an approved plan, in pages: start
an assessment, answer its questionnaire (saved as you go), record the eligibility
decision and complete it, see the indicative budget, write the plan, check its budget
statement and approve it. The purse's services decide everything; these pages ask."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts.models import User
from core.errors import DomainError
from core.services import Origin
from core.web.forms import errors_apply
from purse.models import Assessment, AssessmentAnswer, SupportPlan
from purse.services.assessments import (
    assessment_answer,
    assessment_complete,
    assessment_record_eligibility,
    assessment_start,
)
from purse.services.plans import plan_create, plan_needs_second_approval, plan_statement
from tenants.rules.models import Adjustment, Management, Question, RulesVersion

from .forms import EligibilityForm, PlanForm, QuestionnaireForm
from .views import _person, _render, caseload_page


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # caseload pages are for signed-in care managers


def _assessment(request: HttpRequest, assessment_id: uuid.UUID) -> Assessment:
    found = (
        Assessment.objects.select_related("person", "rules_version")
        .filter(public_id=assessment_id)
        .first()
    )
    if found is None:
        raise Http404
    # The person's record is read through the audited check, as on their page.
    _person(request, found.person.public_id, "assessment")
    return found


def _yes_no(answer: bool | None) -> str | None:
    return None if answer is None else ("yes" if answer else "no")


def _questions(assessment: Assessment) -> list[Question]:
    return list(
        Question.objects.filter(domain__version=assessment.rules_version)
        .select_related("domain")
        .prefetch_related("answers")
        .order_by("domain__position", "position", "pk")
    )


@caseload_page
@require_POST
def assessment_begin(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = _person(request, person_id, "assessment")
    draft = person.assessments.filter(status=Assessment.Status.DRAFT).first()
    if draft is None:
        try:
            draft = assessment_start(person=person, by=_user(request), origin=Origin.of(request))
        except DomainError as exc:
            messages.error(request, exc.detail)
            return redirect("workspace:caseload-person", person_id=person.public_id)
    return redirect("workspace:caseload-assessment", assessment_id=draft.public_id)


@caseload_page
def assessment(request: HttpRequest, assessment_id: uuid.UUID) -> HttpResponse:
    found = _assessment(request, assessment_id)
    if found.status == Assessment.Status.COMPLETED:
        return _render(
            request,
            "assessment_result.html",
            {"assessment": found, "person": found.person, "plans": found.plans.all()},
        )
    questions = _questions(found)
    given = dict(
        AssessmentAnswer.objects.filter(assessment=found).values_list("question_id", "answer_id")
    )
    form = QuestionnaireForm(request.POST or None, questions=questions, given=given)
    if request.method == "POST" and form.is_valid():
        try:
            for question, answer_id in form.chosen():
                answer = next(a for a in question.answers.all() if a.pk == answer_id)
                if given.get(question.pk) != answer.pk:
                    assessment_answer(
                        assessment=found,
                        question=question,
                        answer=answer,
                        by=_user(request),
                        origin=Origin.of(request),
                    )
        except DomainError as exc:
            errors_apply(form, exc)
        else:
            if len(form.chosen()) < len(questions):
                messages.success(request, "Your answers are saved. Come back to finish.")
                return redirect("workspace:caseload-assessment", assessment_id=found.public_id)
            return redirect("workspace:caseload-eligibility", assessment_id=found.public_id)
    domains: dict[Any, list] = {}
    for question in questions:
        domains.setdefault(question.domain, []).append(form[f"q{question.pk}"])
    return _render(
        request,
        "assessment.html",
        {"assessment": found, "person": found.person, "form": form, "domains": domains},
        status=400 if form.errors else 200,
    )


@caseload_page
def eligibility(request: HttpRequest, assessment_id: uuid.UUID) -> HttpResponse:
    found = _assessment(request, assessment_id)
    if found.status == Assessment.Status.COMPLETED:
        return redirect("workspace:caseload-assessment", assessment_id=found.public_id)
    adjustments = list(Adjustment.objects.filter(version=found.rules_version).order_by("pk"))
    initial = {
        "outcomes_not_achieved": found.outcomes_not_achieved,
        "needs_from_condition": _yes_no(found.needs_from_condition),
        "wellbeing_impact_significant": _yes_no(found.wellbeing_impact_significant),
        "notes": found.notes,
    }
    form = EligibilityForm(request.POST or None, initial=initial, adjustments=adjustments)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assessment_record_eligibility(
                assessment=found,
                outcomes_not_achieved=data["outcomes_not_achieved"],
                needs_from_condition=data["needs_from_condition"],
                wellbeing_impact_significant=data["wellbeing_impact_significant"],
                notes=data["notes"],
                by=_user(request),
                origin=Origin.of(request),
            )
            assessment_complete(
                assessment=found,
                adjustments=data.get("adjustments", []),
                by=_user(request),
                origin=Origin.of(request),
            )
        except DomainError as exc:
            errors_apply(form, exc)
        else:
            return redirect("workspace:caseload-assessment", assessment_id=found.public_id)
    return _render(
        request,
        "eligibility.html",
        {"assessment": found, "person": found.person, "form": form},
        status=400 if form.errors else 200,
    )


@caseload_page
def plan_write(request: HttpRequest, assessment_id: uuid.UUID) -> HttpResponse:
    found = _assessment(request, assessment_id)
    version = found.rules_version
    management = [(code, Management(code).label) for code in version.allowed_management]
    initial = {"weekly_budget": f"{(found.indicative_weekly_pence or 0) / 100:.2f}"}
    from_income = version.contribution_method == RulesVersion.Contribution.SIMPLE_ASSESSMENT
    form = PlanForm(
        request.POST or None, initial=initial, management=management, from_income=from_income
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = plan_create(
                assessment=found,
                outcomes=data["outcomes"],
                management=data["management"],
                lines=data["lines"],
                weekly_budget_pence=data["weekly_budget_pence"] or 0,
                difference_reason=data["difference_reason"],
                person_contribution_weekly_pence=None
                if from_income
                else data["contribution_pence"],
                weekly_income_pence=data["weekly_income_pence"] if from_income else None,
                starts_on=data["starts_on"],
                by=_user(request),
            )
        except DomainError as exc:
            errors_apply(
                form,
                exc,
                fields={
                    "weekly_budget_pence": "weekly_budget",
                    "person_contribution_weekly_pence": "contribution",
                    "weekly_income_pence": "weekly_income",
                    "starts_on": "starts_day",
                    "lines": "line1_category",
                },
            )
        else:
            return redirect("workspace:caseload-plan", plan_id=plan.public_id)
    lines = [
        (form[f"line{n}_category"], form[f"line{n}_description"], form[f"line{n}_cost"])
        for n in range(1, 4)
    ]
    return _render(
        request,
        "plan_write.html",
        {"assessment": found, "person": found.person, "form": form, "lines": lines},
        status=400 if form.errors else 200,
    )


@caseload_page
def plan(request: HttpRequest, plan_id: uuid.UUID) -> HttpResponse:
    found = (
        SupportPlan.objects.select_related("person", "rules_version", "approved_by")
        .prefetch_related("lines")
        .filter(public_id=plan_id)
        .first()
    )
    if found is None:
        raise Http404
    _person(request, found.person.public_id, "plan")
    return _render(
        request,
        "plan.html",
        {
            "plan": found,
            "person": found.person,
            "statement": plan_statement(found).lines(),
            "needs_second": plan_needs_second_approval(found),
        },
    )
