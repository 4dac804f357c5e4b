from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "purse.imports"
    label = "imports"
    verbose_name = "Bulk import of budget holders and budgets"
