from django.db import migrations


def forwards(apps, schema_editor):
    from catalogue.taxonomy import seed

    # The registry lives in public only; tenant schemas have no catalogue tables.
    if schema_editor.connection.schema_name != "public":
        return
    seed(apps.get_model("catalogue", "Taxonomy"), apps.get_model("catalogue", "TaxonomyTerm"))


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
