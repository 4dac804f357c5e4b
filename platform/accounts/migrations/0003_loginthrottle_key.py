"""Sign-in throttles are keyed by a keyed hash of the email address (or the client
address) instead of the address as typed. Throttles are short-lived counters, so the
old rows are dropped rather than converted."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_seed_roles")]

    operations = [
        migrations.RunSQL("DELETE FROM accounts_loginthrottle", migrations.RunSQL.noop),
        migrations.RemoveField(model_name="loginthrottle", name="email"),
        migrations.AddField(
            model_name="loginthrottle",
            name="key",
            field=models.CharField(max_length=100, unique=True, default=""),
            preserve_default=False,
        ),
    ]
