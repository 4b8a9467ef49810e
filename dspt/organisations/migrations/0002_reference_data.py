"""Load the shipped reference geography, so `dspt migrate` gives a working England."""

from django.db import migrations


def load(apps, schema_editor):
    from dspt.organisations.reference import load_reference_data

    load_reference_data(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0001_initial"),
        ("support", "0001_initial"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
