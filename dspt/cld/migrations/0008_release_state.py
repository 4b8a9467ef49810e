from django.db import migrations, models

CHOICES = [
    ("preparing", "Being prepared"),
    ("released", "Released"),
    ("refused", "Refused"),
    ("failed", "Could not be prepared"),
]


def settle_earlier_releases(apps, schema_editor):
    """Releases made before the worker wrote them were written in the request: each is either
    released or refused."""
    Release = apps.get_model("cld", "Release")
    Release.objects.exclude(refused_reason="").update(state="refused")


class Migration(migrations.Migration):
    dependencies = [
        ("cld", "0007_health_datasets_notices"),
    ]

    operations = [
        # Existing rows were written in full (or refused) when they were asked for.
        migrations.AddField(
            model_name="release",
            name="state",
            field=models.CharField(choices=CHOICES, default="released", max_length=10),
        ),
        migrations.RunPython(settle_earlier_releases, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="release",
            name="state",
            field=models.CharField(choices=CHOICES, default="preparing", max_length=10),
        ),
        migrations.AddField(
            model_name="release",
            name="state_message",
            field=models.CharField(blank=True, max_length=300),
        ),
    ]
