"""LSO areas are geography: the LSO model moves here from the support app.

Only Django's picture of the models changes (SeparateDatabaseAndState, no database operation):
the table keeps its name, support_lso (the model's db_table), with every row, and every foreign
key keeps pointing at it. Keeping the name, rather than renaming the table, also keeps working
every data migration that reads LSOs through the current models (monitoring 0004), whichever
side of this move it runs on.

Here the model appears in this app and the local authorities point at it; accounts 0003 moves
the staff's link, and support 0004 moves activity and engagements and then forgets its own LSO.
The content type moves with the model, so permissions and admin log entries keep theirs.
"""

import django.db.models.deletion
from django.db import migrations, models


def _move_content_type(apps, schema_editor, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.using(schema_editor.connection.alias)
    if not types.filter(app_label=target, model="lso").exists():
        types.filter(app_label=source, model="lso").update(app_label=target)


def forwards(apps, schema_editor):
    _move_content_type(apps, schema_editor, "support", "organisations")


def backwards(apps, schema_editor):
    _move_content_type(apps, schema_editor, "organisations", "support")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("organisations", "0005_organisation_updated_at_index"),
        ("support", "0003_engagement_updated_at"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="LSO",
                    fields=[
                        (
                            "code",
                            models.CharField(max_length=20, primary_key=True, serialize=False),
                        ),
                        ("name", models.CharField(max_length=200)),
                        ("website", models.URLField(blank=True)),
                    ],
                    options={
                        "verbose_name": "Local Support Organisation",
                        "db_table": "support_lso",
                        "ordering": ["name"],
                    },
                ),
                migrations.AlterField(
                    model_name="localauthority",
                    name="lso",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="local_authorities",
                        to="organisations.lso",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
