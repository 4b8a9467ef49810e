"""Fill the status interval table from the facts already in the database."""

from django.db import migrations


def fill(apps, schema_editor):
    from dspt.statuses.intervals import rebuild

    rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("statuses", "0001_initial"),
        ("assessments", "0002_publication_assessment_version"),
        ("frameworks", "0001_initial"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
