"""The council workspace's roles and grants: commissioners read the reports (and see
the catalogue's approvals); administrators import budget holders and read the reports."""

from django.db import migrations

COMMISSIONER = (
    "commissioner",
    "Commissioner",
    "Reads the reports on spending, the market, savings and outcomes.",
    ["reports.view", "catalogue.view"],
)
GRANTS = {"council_admin": ["people.import", "reports.view"]}


def grant(apps, schema_editor):
    if schema_editor.connection.schema_name == "public":
        return
    Role = apps.get_model("accounts", "Role")
    code, name, description, permissions = COMMISSIONER
    Role.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "description": description,
            "scope": "tenant",
            "permissions": permissions,
        },
    )
    for code, permissions in GRANTS.items():
        for role in Role.objects.filter(code=code):
            role.permissions = sorted(set(role.permissions) | set(permissions))
            role.save(update_fields=["permissions"])


def revoke(apps, schema_editor):
    if schema_editor.connection.schema_name == "public":
        return
    Role = apps.get_model("accounts", "Role")
    Role.objects.filter(code=COMMISSIONER[0]).delete()
    for code, permissions in GRANTS.items():
        for role in Role.objects.filter(code=code):
            role.permissions = [p for p in role.permissions if p not in permissions]
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_catalogue_permissions")]

    operations = [migrations.RunPython(grant, revoke)]
