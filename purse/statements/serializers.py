"""The statement as JSON: every amount in pence, with the same words as the page."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.money import format_pence


class StatementFiguresOut(serializers.Serializer[Any]):
    total_pence = serializers.IntegerField()
    held_pence = serializers.IntegerField()
    available_pence = serializers.IntegerField()
    text = serializers.SerializerMethodField()

    def get_text(self, figures: Any) -> str:
        return (
            f"{format_pence(figures.total_pence)}: {format_pence(figures.available_pence)} to "
            f"spend and {format_pence(figures.held_pence)} held"
        )


class StatementLineOut(serializers.Serializer[Any]):
    on = serializers.DateField()
    kind = serializers.ChoiceField(choices=["in", "held", "paid", "released", "out"])
    description = serializers.CharField()
    money_in_pence = serializers.IntegerField()
    money_out_pence = serializers.IntegerField()
    held_pence = serializers.IntegerField(help_text="Change in money held")
    released_pence = serializers.IntegerField()
    available_after_pence = serializers.IntegerField()
    total_after_pence = serializers.IntegerField()
    order_reference = serializers.CharField()
    service = serializers.CharField()
    visit_on = serializers.DateField(allow_null=True)


class StatementHeldOut(serializers.Serializer[Any]):
    order_reference = serializers.CharField()
    service = serializers.CharField()
    visit_on = serializers.DateField(allow_null=True)
    amount_pence = serializers.IntegerField()
    description = serializers.CharField()


class StatementOrderOut(serializers.Serializer[Any]):
    reference = serializers.CharField()
    service = serializers.CharField()
    visits = serializers.ListField(child=serializers.DateField())
    held_pence = serializers.IntegerField()
    paid_pence = serializers.IntegerField()
    released_pence = serializers.IntegerField()
    held_at_end_pence = serializers.IntegerField()


class BudgetStatementOut(serializers.Serializer[Any]):
    person = serializers.UUIDField(source="person_id")
    person_name = serializers.CharField()
    council = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    made_at = serializers.DateTimeField()
    opening = StatementFiguresOut()
    closing = StatementFiguresOut()
    money_in_pence = serializers.IntegerField()
    money_out_pence = serializers.IntegerField()
    paid_pence = serializers.IntegerField()
    other_out_pence = serializers.IntegerField()
    newly_held_pence = serializers.IntegerField()
    released_pence = serializers.IntegerField()
    balanced = serializers.BooleanField()
    summary = serializers.ListField(child=serializers.CharField())
    lines = StatementLineOut(many=True)
    orders = StatementOrderOut(many=True)
    held_at_end = StatementHeldOut(many=True)
