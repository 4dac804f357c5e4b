"""The first version of each plan the platform sells. Prices are a month, before VAT,
in pence; per budget holder prices are graduated (each tier's price for the holders
within it). Plans live in the public schema only."""

from django.db import migrations

TRIAL_DAYS = 30

PLANS = [
    {
        "code": "complete",
        "name": "Complete",
        "modules": ["marketplace", "epurse", "phb", "social_prescribing", "reports"],
        "platform_fee_pence": 250_000,  # £2,500 a month
        "holder_tiers": [
            {"up_to": 250, "pence": 600},  # £6 a holder for the first 250
            {"up_to": 1000, "pence": 450},  # £4.50 for the next 750
            {"up_to": None, "pence": 300},  # £3 for every one after
        ],
        "order_fee_pence": 0,
        "minimum_monthly_pence": 300_000,
    },
    {
        "code": "marketplace",
        "name": "Marketplace",
        "modules": ["marketplace", "reports"],
        "platform_fee_pence": 90_000,  # £900 a month
        "holder_tiers": [
            {"up_to": 500, "pence": 200},
            {"up_to": None, "pence": 125},
        ],
        "order_fee_pence": 20,  # 20p an order placed
        "minimum_monthly_pence": 100_000,
    },
    {
        "code": "personal-health-budgets",
        "name": "Personal health budgets",
        "modules": ["epurse", "phb", "reports"],
        "platform_fee_pence": 150_000,
        "holder_tiers": [
            {"up_to": 200, "pence": 700},
            {"up_to": 1000, "pence": 500},
            {"up_to": None, "pence": 350},
        ],
        "order_fee_pence": 0,
        "minimum_monthly_pence": 200_000,
    },
]


def plans_seed(apps, schema_editor):
    from django_tenants.utils import get_public_schema_name

    if getattr(schema_editor.connection, "schema_name", None) != get_public_schema_name():
        return
    Plan = apps.get_model("billing", "Plan")
    for plan in PLANS:
        Plan.objects.get_or_create(
            code=plan["code"],
            version=1,
            defaults={key: value for key, value in plan.items() if key != "code"}
            | {"trial_days": TRIAL_DAYS},
        )


def plans_unseed(apps, schema_editor):
    from django_tenants.utils import get_public_schema_name

    if getattr(schema_editor.connection, "schema_name", None) != get_public_schema_name():
        return
    Plan = apps.get_model("billing", "Plan")
    Plan.objects.filter(
        code__in=[plan["code"] for plan in PLANS], version=1, licences__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(plans_seed, plans_unseed)]
