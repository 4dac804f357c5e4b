"""Writes of the reports section: the council's traditional unit costs."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.permissions import TENANT_CONFIGURE, user_has_permission
from catalogue.models import PriceOption, TaxonomyTerm
from core.errors import DomainError, ValidationFailed
from core.services import SYSTEM, Origin, audit_record

from ..models import UnitCost


def unit_cost_set(
    *, category_id: Any, unit: str, traditional_pence: int, by: Any, origin: Origin = SYSTEM
) -> UnitCost:
    """Set what one unit of a kind of care costs when commissioned the traditional way
    (administrators only); the savings report compares spending with it."""
    if not user_has_permission(by, TENANT_CONFIGURE):
        raise DomainError("Only an administrator can change the traditional unit costs.")
    category = TaxonomyTerm.objects.filter(pk=category_id).first()
    errors: dict[str, list[str]] = {}
    if category is None:
        errors["category"] = ["Choose the kind of care"]
    if unit not in PriceOption.Unit.values:
        errors["unit"] = ["Choose the unit"]
    if not isinstance(traditional_pence, int) or not 0 < traditional_pence <= 100_000_00:
        errors["cost"] = ["Enter an amount more than £0 and at most £100,000"]
    if errors or category is None:
        raise ValidationFailed("The unit cost was not saved.", field_errors=errors)
    with transaction.atomic():
        previous = (
            UnitCost.objects.select_for_update()
            .filter(category=category, unit=unit)
            .values_list("traditional_pence", flat=True)
            .first()
        )
        cost, _ = UnitCost.objects.update_or_create(
            category=category,
            unit=unit,
            defaults={"traditional_pence": traditional_pence, "updated_by": by},
        )
        audit_record(
            action="reports.unit_cost_set",
            actor=by,
            obj=cost,
            origin=origin,
            detail={
                "category": category.code,
                "unit": unit,
                "traditional_pence": traditional_pence,
                "previous_pence": previous,
            },
        )
    return cost
