"""Releases cover several submissions and several aggregate tables (schema, step 1 of 3).

Adds the new fields next to the old ones; 0004 copies the data, 0005 removes the old fields.
Three migrations rather than one so each runs in its own transaction: on PostgreSQL an ALTER
TABLE after rows were written to a table with deferred foreign keys fails ("pending trigger
events").
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cld", "0002_submission_progress"),
    ]

    operations = [
        # Nullable, so that going back (0005 reversed) can add it again before 0004 fills it.
        migrations.AlterField(
            model_name="release",
            name="submission",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="releases",
                to="cld.submission",
            ),
        ),
        migrations.AddField(
            model_name="release",
            name="submissions",
            # A temporary reverse name while the old foreign key still holds "releases".
            field=models.ManyToManyField(related_name="+", to="cld.submission"),
        ),
        migrations.AddField(
            model_name="release",
            name="tables",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="release",
            name="aggregates_version",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AlterField(
            model_name="release",
            name="refused_reason",
            field=models.TextField(blank=True),
        ),
    ]
