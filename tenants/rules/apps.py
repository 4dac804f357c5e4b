from django.apps import AppConfig


class BudgetRulesConfig(AppConfig):
    name = "tenants.rules"
    label = "budget_rules"
    verbose_name = "Budget rules"
