"""The indicative budget: RAS points to money, with the plain-English reasons
("why is my budget £X?"). Reads only; nothing here writes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection

from core.errors import DomainError, ValidationFailed
from core.money import format_pence

from .models import Adjustment, Answer, Question, RulesVersion

# The multiplication sign (written as an escape so it cannot be mistaken for an x).
TIMES = "\u00d7"


@dataclass(frozen=True)
class Indicative:
    total_points: int
    weekly_pence: int
    lines: list[str]


def _points(n: int) -> str:
    return f"{n} point" if n == 1 else f"{n} points"


def _whose() -> str:
    # "the council's maximum" or "the NHS's maximum", by the tenant the rules belong to.
    kind = getattr(getattr(connection, "tenant", None), "kind", "council")
    return "the NHS's" if kind == "nhs" else "the council's"


def percent_of(pence: int, percent: int) -> int:
    """`percent`% of `pence`, to the nearest penny (half a penny rounds up)."""
    exact = Decimal(pence) * Decimal(percent) / Decimal(100)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _answers_resolve(
    *, version: RulesVersion, answers: Mapping[str | Question, str | Answer]
) -> dict[int, Answer]:
    """Question id -> the chosen Answer, every question of `version` answered once."""
    questions = list(
        Question.objects.filter(domain__version=version)
        .select_related("domain")
        .prefetch_related("answers")
        .order_by("domain__position", "position", "pk")
    )
    by_id = {q.pk: q for q in questions}
    by_code = {q.code: q for q in questions}
    # Codes are unique within a domain; one shared by two domains needs the Question.
    ambiguous = {q.code for q in questions if sum(o.code == q.code for o in questions) > 1}
    errors: dict[str, list[str]] = {}
    chosen: dict[int, Answer] = {}
    for key, given in answers.items():
        if isinstance(key, Question):
            question = by_id.get(key.pk)
            field = key.code
            if question is None:
                other = RulesVersion.objects.filter(domains__questions=key).first()
                number = other.number if other else "?"
                errors[field] = [
                    f"The question {key.text!r} belongs to rules version {number}, "
                    f"not version {version.number}"
                ]
                continue
        else:
            field = str(key)
            question = by_code.get(field)
            if field in ambiguous:
                errors[field] = [f"More than one question has the code {field!r}: say which"]
                continue
            if question is None:
                errors[field] = [
                    f"There is no question {field!r} in rules version {version.number}"
                ]
                continue
        options = {a.code: a for a in question.answers.all()}
        code = given.code if isinstance(given, Answer) else str(given)
        answer = options.get(code)
        if answer is None or (isinstance(given, Answer) and given.pk != answer.pk):
            allowed = ", ".join(repr(c) for c in options)
            errors[field] = [
                f"{code!r} is not an answer to {question.text!r}: choose one of {allowed}"
            ]
            continue
        if question.pk in chosen:
            errors[field] = [f"{question.text!r} is answered twice: give one answer"]
            continue
        chosen[question.pk] = answer
    for question in questions:
        if question.pk not in chosen and question.code not in errors:
            errors[question.code] = [f"Answer the question {question.text!r}"]
    if errors:
        raise ValidationFailed(
            "The indicative budget could not be worked out: check the answers.",
            field_errors=errors,
        )
    return chosen


def indicative_budget(
    *,
    version: RulesVersion,
    answers: Mapping[str | Question, str | Answer],
    adjustments: Sequence[str] = (),
) -> Indicative:
    """Work out the indicative weekly budget from the RAS answers (question code or
    Question -> answer code or Answer; every question must be answered) and the codes
    of any adjustments the care manager applies. Points become money by the version's
    bands if it has any, otherwise by its price per point; then adjustments are added,
    then the minimum and the cap apply."""
    chosen = _answers_resolve(version=version, answers=answers)
    by_code = {a.code: a for a in Adjustment.objects.filter(version=version)}
    unknown = [code for code in adjustments if code not in by_code]
    if unknown or len(set(adjustments)) != len(adjustments):
        allowed = ", ".join(repr(c) for c in sorted(by_code)) or "none"
        problem = (
            f"There is no adjustment {unknown[0]!r} in rules version {version.number}"
            if unknown
            else "Each adjustment can be applied once"
        )
        raise ValidationFailed(
            f"{problem}. The adjustments are: {allowed}.",
            field_errors={"adjustments": [problem]},
        )

    lines: list[str] = []
    points_by_domain: dict[int, int] = {}
    domains = {}
    for answer in chosen.values():
        domain = answer.question.domain
        domains[domain.pk] = domain
        points_by_domain[domain.pk] = points_by_domain.get(domain.pk, 0) + answer.points
    for domain in sorted(domains.values(), key=lambda d: (d.position, d.pk)):
        lines.append(f"{domain.name}: {_points(points_by_domain[domain.pk])}")
    total_points = sum(points_by_domain.values())

    bands = list(version.bands.all())
    if bands:
        band = next((b for b in bands if b.min_points <= total_points <= b.max_points), None)
        if band is None:
            raise DomainError(
                f"Rules version {version.number} has no band for {_points(total_points)}: "
                "its bands must cover every possible total"
            )
        weekly = band.weekly_pence
        lines.append(
            f"{_points(total_points)} is in the band for {band.min_points} to "
            f"{_points(band.max_points)} = {format_pence(weekly)} a week"
        )
    else:
        price = version.price_per_point_pence
        weekly = total_points * price
        lines.append(
            f"{_points(total_points)} {TIMES} {format_pence(price)} a point "
            f"= {format_pence(weekly)} a week"
        )

    base = weekly
    for code in adjustments:
        adjustment = by_code[code]
        if adjustment.kind == Adjustment.Kind.PERCENT:
            amount = percent_of(base, adjustment.value)
            lines.append(f"{adjustment.name}: +{adjustment.value}% = {format_pence(amount)}")
        else:
            amount = adjustment.value
            lines.append(f"{adjustment.name}: +{format_pence(amount)} a week")
        weekly += amount

    if weekly < version.minimum_weekly_pence:
        weekly = version.minimum_weekly_pence
        lines.append(f"Raised to {_whose()} minimum of {format_pence(weekly)} a week")
    if version.maximum_weekly_pence is not None and weekly > version.maximum_weekly_pence:
        weekly = version.maximum_weekly_pence
        lines.append(f"Capped at {_whose()} maximum of {format_pence(weekly)} a week")
    lines.append(f"Indicative budget: {format_pence(weekly)} a week")
    return Indicative(total_points=total_points, weekly_pence=weekly, lines=lines)
