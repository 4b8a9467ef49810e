"""Fill the location dimension table from the organisations already in the database."""

from django.db import migrations


def fill(apps, schema_editor):
    from dspt.monitoring.population import rebuild

    rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0003_location_locationclientgroup"),
        ("support", "0003_engagement_updated_at"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
