"""Writes for budget rules. A version is made as a draft (usually a copy of another),
edited while it is a draft, then published to take effect on its date. Published
versions never change: plans keep the version they were approved under."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from core.errors import DomainError, ValidationFailed
from core.services import SYSTEM, Origin, audit_record

from .models import Adjustment, Answer, Band, Domain, Management, Question, RulesVersion
from .selectors import day_text, rules_in_effect

PENCE_SETTINGS = (
    "price_per_point_pence",
    "minimum_weekly_pence",
    "income_allowance_weekly_pence",
    "second_approval_above_pence",
)
SETTINGS = frozenset(
    {
        *PENCE_SETTINGS,
        "maximum_weekly_pence",
        "contribution_method",
        "contribution_percent",
        "allowed_management",
        "excluded_spending",
        "surplus_threshold_weeks",
        "surplus_notice_days",
        "topup_cycle_weeks",
        "topup_timing",
        "orders_within_plan",
        "person_confirms_delivery",
        "topups_need_approval",
        "notes",
    }
)


@dataclass(frozen=True)
class BandInput:
    min_points: int
    max_points: int
    weekly_pence: int


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _settings_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    """What is wrong with a full set of settings, by field."""
    errors: dict[str, list[str]] = {}
    for name in PENCE_SETTINGS:
        if not _whole(values[name]) or values[name] < 0:
            errors[name] = ["Give a whole number of pence, 0 or more"]
    maximum = values["maximum_weekly_pence"]
    if maximum is not None:
        if not _whole(maximum) or maximum < 0:
            errors["maximum_weekly_pence"] = ["Give a whole number of pence, or no maximum"]
        elif _whole(values["minimum_weekly_pence"]) and maximum < values["minimum_weekly_pence"]:
            errors["maximum_weekly_pence"] = ["The maximum cannot be below the minimum"]
    if values["contribution_method"] not in RulesVersion.Contribution.values:
        errors["contribution_method"] = [
            "Choose " + " or ".join(repr(v) for v in RulesVersion.Contribution.values)
        ]
    percent = values["contribution_percent"]
    if not _whole(percent) or not 0 <= percent <= 100:
        errors["contribution_percent"] = ["Give a whole percentage from 0 to 100"]
    management = values["allowed_management"]
    if (
        not isinstance(management, list | tuple)
        or not management
        or any(m not in Management.values for m in management)
        or len(set(management)) != len(management)
    ):
        errors["allowed_management"] = [
            "Choose at least one way to manage the money, each once, from: "
            + ", ".join(Management.values)
        ]
    excluded = values["excluded_spending"]
    if not isinstance(excluded, list | tuple) or any(
        not isinstance(item, str) or not item.strip() or len(item) > 200 for item in excluded
    ):
        errors["excluded_spending"] = ["Give each excluded kind of spending as text of 1 to 200"]
    for name in ("surplus_threshold_weeks", "topup_cycle_weeks"):
        if not _whole(values[name]) or not 1 <= values[name] <= 52:
            errors[name] = ["Give a whole number of weeks from 1 to 52"]
    notice = values["surplus_notice_days"]
    if not _whole(notice) or not 1 <= notice <= 365:
        errors["surplus_notice_days"] = ["Give a whole number of days from 1 to 365"]
    if values["topup_timing"] not in ("advance", "arrears"):
        errors["topup_timing"] = ["Choose 'advance' (at the start of each cycle) or 'arrears'"]
    for name in ("orders_within_plan", "person_confirms_delivery", "topups_need_approval"):
        if not isinstance(values[name], bool):
            errors[name] = ["Answer true or false"]
    if not isinstance(values["notes"], str):
        errors["notes"] = ["Give the notes as text"]
    return errors


def _settings_apply(*, version: RulesVersion, values: dict[str, Any]) -> None:
    unknown = sorted(set(values) - SETTINGS)
    if unknown:
        raise ValidationFailed(
            "The rules were not saved.",
            field_errors={
                name: [f"{name!r} is not a setting of the budget rules"] for name in unknown
            },
        )
    merged = {name: values.get(name, getattr(version, name)) for name in SETTINGS}
    if errors := _settings_errors(merged):
        raise ValidationFailed("The rules were not saved.", field_errors=errors)
    for name, value in values.items():
        if name in ("allowed_management", "excluded_spending"):
            value = [item.strip() for item in value]
        setattr(version, name, value)


def _draft_required(version: RulesVersion) -> None:
    if version.status != RulesVersion.Status.DRAFT:
        raise DomainError(
            f"Rules version {version.number} is published, and published rules never change. "
            "Make a new draft based on it instead."
        )


def _copy_contents(*, source: RulesVersion, target: RulesVersion) -> None:
    for domain in source.domains.prefetch_related("questions__answers"):
        copy = Domain.objects.create(
            version=target, code=domain.code, name=domain.name, position=domain.position
        )
        for question in domain.questions.all():
            question_copy = Question.objects.create(
                domain=copy, code=question.code, text=question.text, position=question.position
            )
            Answer.objects.bulk_create(
                Answer(
                    question=question_copy,
                    code=a.code,
                    text=a.text,
                    points=a.points,
                    position=a.position,
                )
                for a in question.answers.all()
            )
    Band.objects.bulk_create(
        Band(
            version=target,
            min_points=b.min_points,
            max_points=b.max_points,
            weekly_pence=b.weekly_pence,
        )
        for b in source.bands.all()
    )
    Adjustment.objects.bulk_create(
        Adjustment(version=target, code=a.code, name=a.name, kind=a.kind, value=a.value)
        for a in source.adjustments.all()
    )


def rules_version_create(
    *,
    based_on: RulesVersion | None = None,
    effective_from: date,
    by: User,
    origin: Origin = SYSTEM,
    **values: Any,
) -> RulesVersion:
    """A new draft version taking effect on `effective_from` once published: a copy of
    `based_on` (or of the version in effect today), questionnaire, bands and
    adjustments included, with `values` changing its settings."""
    source = based_on or rules_in_effect(on=timezone.localdate())
    if source is None and "price_per_point_pence" not in values:
        raise ValidationFailed(
            "There are no rules to copy, so give at least the price per point.",
            field_errors={"price_per_point_pence": ["Give the price of one point, in pence"]},
        )
    try:
        with transaction.atomic():
            number = (RulesVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
            version = RulesVersion(number=number, effective_from=effective_from, created_by=by)
            if source is not None:
                for name in SETTINGS:
                    setattr(version, name, getattr(source, name))
            _settings_apply(version=version, values=values)
            version.save()
            if source is not None:
                _copy_contents(source=source, target=version)
            audit_record(
                action="rules.version_created",
                actor=by,
                obj=version,
                origin=origin,
                detail={
                    "number": number,
                    "based_on": source.number if source else None,
                    "effective_from": effective_from.isoformat(),
                    "changed": sorted(values),
                },
            )
    except IntegrityError:
        # Someone else made a version at the same moment and took the number.
        raise DomainError(
            "Another rules version was being made at the same time. Try again."
        ) from None
    return version


def rules_version_update(
    *,
    version: RulesVersion,
    by: User,
    effective_from: date | None = None,
    origin: Origin = SYSTEM,
    **values: Any,
) -> RulesVersion:
    """Change a draft's settings (or its effective date). Published versions are refused."""
    with transaction.atomic():
        version = RulesVersion.objects.select_for_update().get(pk=version.pk)
        _draft_required(version)
        _settings_apply(version=version, values=values)
        if effective_from is not None:
            version.effective_from = effective_from
        version.save()
        audit_record(
            action="rules.version_updated",
            actor=by,
            obj=version,
            origin=origin,
            detail={
                "number": version.number,
                "changed": sorted([*values, *(["effective_from"] if effective_from else [])]),
            },
        )
    return version


def rules_answer_update(
    *, answer: Answer, points: int, by: User, text: str | None = None, origin: Origin = SYSTEM
) -> Answer:
    """Change the points (and optionally the wording) of one answer in a draft."""
    if not _whole(points) or points < 0:
        raise ValidationFailed(
            "Points cannot be negative: give a whole number, 0 or more.",
            field_errors={"points": ["Give a whole number of points, 0 or more"]},
        )
    if text is not None and not text.strip():
        raise ValidationFailed(
            "The answer needs some words.", field_errors={"text": ["Enter the answer's wording"]}
        )
    with transaction.atomic():
        answer = Answer.objects.select_related("question__domain__version").get(pk=answer.pk)
        version = RulesVersion.objects.select_for_update().get(pk=answer.question.domain.version_id)
        _draft_required(version)
        before = answer.points
        answer.points = points
        if text is not None:
            answer.text = text.strip()
        answer.save()
        audit_record(
            action="rules.answer_updated",
            actor=by,
            obj=version,
            origin=origin,
            detail={
                "question": answer.question.code,
                "answer": answer.code,
                "points_before": before,
                "points": points,
            },
        )
    return answer


def rules_adjustment_update(
    *,
    adjustment: Adjustment,
    value: int,
    by: User,
    name: str | None = None,
    origin: Origin = SYSTEM,
) -> Adjustment:
    """Change how much one adjustment adds in a draft: a percentage (0-100) or pence a
    week, by its kind."""
    limit = 100 if adjustment.kind == Adjustment.Kind.PERCENT else None
    if not _whole(value) or value < 0 or (limit is not None and value > limit):
        unit = "a whole percentage from 0 to 100" if limit else "a whole number of pence, 0 or more"
        raise ValidationFailed(
            f"The adjustment was not changed: give {unit}.",
            field_errors={"value": [f"Give {unit}"]},
        )
    if name is not None and not name.strip():
        raise ValidationFailed(
            "The adjustment needs a name.", field_errors={"name": ["Enter the adjustment's name"]}
        )
    with transaction.atomic():
        version = RulesVersion.objects.select_for_update().get(pk=adjustment.version_id)
        _draft_required(version)
        adjustment = Adjustment.objects.get(pk=adjustment.pk)
        before = adjustment.value
        adjustment.value = value
        if name is not None:
            adjustment.name = name.strip()
        adjustment.save()
        audit_record(
            action="rules.adjustment_updated",
            actor=by,
            obj=version,
            origin=origin,
            detail={"adjustment": adjustment.code, "value_before": before, "value": value},
        )
    return adjustment


def _max_points(version: RulesVersion) -> int:
    """The highest total a person can score under `version`."""
    total = 0
    for question in Question.objects.filter(domain__version=version).annotate(
        top=Max("answers__points")
    ):
        total += question.top or 0
    return total


def _bands_errors(bands: Sequence[BandInput], max_points: int) -> list[str]:
    """Bands must run from 0 points, one after the other with no gap or overlap, to at
    least the highest possible total; amounts never negative."""
    if not bands:
        return []
    ordered = sorted(bands, key=lambda b: b.min_points)
    expected = 0
    for band in ordered:
        if not all(_whole(v) for v in (band.min_points, band.max_points, band.weekly_pence)):
            return ["Give whole numbers of points and pence"]
        if band.weekly_pence < 0:
            return [f"The band from {band.min_points} points has a negative amount"]
        if band.max_points < band.min_points:
            return [f"The band from {band.min_points} points ends before it starts"]
        if band.min_points != expected:
            which = "overlap" if band.min_points < expected else "leave a gap"
            return [f"The bands {which} at {min(band.min_points, expected)} points"]
        expected = band.max_points + 1
    if expected <= max_points:
        return [f"The bands stop at {expected - 1} points, but a person can score {max_points}"]
    return []


def rules_bands_set(
    *, version: RulesVersion, bands: Sequence[BandInput], by: User, origin: Origin = SYSTEM
) -> list[Band]:
    """Replace a draft's bands. No bands: money is worked out by the price per point."""
    with transaction.atomic():
        version = RulesVersion.objects.select_for_update().get(pk=version.pk)
        _draft_required(version)
        if errors := _bands_errors(bands, _max_points(version)):
            raise ValidationFailed("The bands were not saved.", field_errors={"bands": errors})
        version.bands.all().delete()
        saved = Band.objects.bulk_create(
            Band(
                version=version,
                min_points=b.min_points,
                max_points=b.max_points,
                weekly_pence=b.weekly_pence,
            )
            for b in sorted(bands, key=lambda b: b.min_points)
        )
        audit_record(
            action="rules.bands_set",
            actor=by,
            obj=version,
            origin=origin,
            detail={"bands": [[b.min_points, b.max_points, b.weekly_pence] for b in saved]},
        )
    return saved


def _overlap_message(*, clash: RulesVersion) -> str:
    return (
        f"Overlapping rule versions: version {clash.number} already takes effect on "
        f"{day_text(clash.effective_from)}. Choose another effective date."
    )


def rules_version_publish(
    *, version: RulesVersion, by: User, origin: Origin = SYSTEM
) -> RulesVersion:
    """Publish a draft so it takes effect on its date. Refused for a date in the past
    (budgets already worked out under earlier rules would silently change) and for a
    date another published version already has."""
    today = timezone.localdate()
    with transaction.atomic():
        version = RulesVersion.objects.select_for_update().get(pk=version.pk)
        if version.status == RulesVersion.Status.PUBLISHED:
            raise DomainError(f"Rules version {version.number} is already published")
        if version.effective_from < today:
            raise ValidationFailed(
                f"The effective date {day_text(version.effective_from)} is in the past. "
                "Choose today or a later date.",
                field_errors={"effective_from": ["Choose today or a later date"]},
            )
        clash = RulesVersion.objects.filter(
            status=RulesVersion.Status.PUBLISHED, effective_from=version.effective_from
        ).first()
        if clash is not None:
            raise ValidationFailed(
                _overlap_message(clash=clash),
                field_errors={"effective_from": [_overlap_message(clash=clash)]},
            )
        problems = _contents_errors(version)
        if problems:
            raise ValidationFailed(
                f"Rules version {version.number} cannot be published yet.",
                field_errors={"version": problems},
            )
        version.status = RulesVersion.Status.PUBLISHED
        version.published_by = by
        version.published_at = timezone.now()
        try:
            with transaction.atomic():
                version.save()
        except IntegrityError:
            # Another version was published for the same day between our check and now.
            clash = RulesVersion.objects.get(
                status=RulesVersion.Status.PUBLISHED, effective_from=version.effective_from
            )
            raise ValidationFailed(
                _overlap_message(clash=clash),
                field_errors={"effective_from": [_overlap_message(clash=clash)]},
            ) from None
        audit_record(
            action="rules.version_published",
            actor=by,
            obj=version,
            origin=origin,
            detail={"number": version.number, "effective_from": version.effective_from.isoformat()},
        )
    return version


def _contents_errors(version: RulesVersion) -> list[str]:
    problems = []
    questions = list(Question.objects.filter(domain__version=version).prefetch_related("answers"))
    if not questions:
        problems.append("The questionnaire has no questions")
    for question in questions:
        if not question.answers.all():
            problems.append(f"The question {question.text!r} has no answers")
    if not version.allowed_management:
        problems.append("Choose at least one way to manage the money")
    bands = [BandInput(b.min_points, b.max_points, b.weekly_pence) for b in version.bands.all()]
    problems.extend(_bands_errors(bands, _max_points(version)))
    return problems
