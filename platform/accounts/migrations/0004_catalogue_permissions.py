"""Grant the catalogue's permissions: councils approve providers and moderate reviews;
budget holders and representatives review what they bought."""

from django.db import migrations

GRANTS = {
    "tenant": {
        "council_admin": ["catalogue.approve", "reviews.moderate"],
        "budget_holder": ["reviews.write"],
        "representative": ["reviews.write"],
        "support_worker": ["catalogue.view"],
        "care_manager": ["catalogue.view"],
    },
    "public": {"platform_operator": ["providers.vet"]},
}


def grant(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    scope = "public" if schema_editor.connection.schema_name == "public" else "tenant"
    for code, permissions in GRANTS[scope].items():
        for role in Role.objects.filter(code=code):
            role.permissions = sorted(set(role.permissions) | set(permissions))
            role.save(update_fields=["permissions"])


def revoke(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    scope = "public" if schema_editor.connection.schema_name == "public" else "tenant"
    for code, permissions in GRANTS[scope].items():
        for role in Role.objects.filter(code=code):
            role.permissions = [p for p in role.permissions if p not in permissions]
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_loginthrottle_key")]

    operations = [migrations.RunPython(grant, revoke)]
