"""Seed the roles of each schema: tenant roles in council and NHS schemas (and the
template they are cloned from), platform roles in public."""

from django.db import migrations

TENANT_ROLES = [
    (
        "budget_holder",
        "Budget holder",
        "A person with a personal budget.",
        ["purse.view_own", "orders.place_own"],
    ),
    (
        "representative",
        "Representative",
        "A carer, family member, nominee, appointee or deputy acting for a budget holder.",
        ["purse.view_represented", "orders.place_represented"],
    ),
    (
        "support_worker",
        "Support worker",
        "Helps people on their caseload.",
        ["people.view_caseload", "people.act_for_caseload"],
    ),
    (
        "care_manager",
        "Care manager",
        "Assesses needs, sets budgets and approves plans.",
        ["people.view_caseload", "people.act_for_caseload", "plans.manage"],
    ),
    (
        "finance_officer",
        "Finance officer",
        "Runs top-ups, payouts and reconciliation.",
        ["finance.manage", "audit.view"],
    ),
    (
        "council_admin",
        "Administrator",
        "Manages users, settings and provider approvals for the organisation.",
        ["users.view", "users.manage", "tenant.configure", "audit.view"],
    ),
]
PUBLIC_ROLES = [
    ("provider_staff", "Provider staff", "Works for a care provider.", ["provider.manage_own"]),
    (
        "platform_operator",
        "Platform operator",
        "Runs the platform and onboards tenants.",
        ["platform.operate", "users.view", "users.manage", "audit.view"],
    ),
]


def seed(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    public = schema_editor.connection.schema_name == "public"
    scope = "public" if public else "tenant"
    for code, name, description, permissions in PUBLIC_ROLES if public else TENANT_ROLES:
        Role.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "description": description,
                "scope": scope,
                "permissions": permissions,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
