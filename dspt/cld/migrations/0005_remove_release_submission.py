"""Remove the old single-submission and single-aggregate fields (step 3 of 3)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cld", "0004_release_submissions_data"),
    ]

    operations = [
        migrations.RemoveField(model_name="release", name="submission"),
        migrations.RemoveField(model_name="release", name="aggregate_path"),
        migrations.AlterField(
            model_name="release",
            name="submissions",
            field=models.ManyToManyField(related_name="releases", to="cld.submission"),
        ),
    ]
