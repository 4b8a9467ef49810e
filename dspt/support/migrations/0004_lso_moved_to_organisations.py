"""The LSO model now lives in the organisations app (organisations 0006): activity and
engagements point at it there, and this app forgets its own.

Only Django's picture changes: the table support_lso, its rows and the foreign keys to it stay.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0003_engagement_updated_at"),
        ("organisations", "0006_lso"),
        # Every link to support.LSO must have moved before the model can go.
        ("accounts", "0003_user_lso_in_organisations"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="activityrecord",
                    name="lso",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="activity",
                        to="organisations.lso",
                    ),
                ),
                migrations.AlterField(
                    model_name="engagement",
                    name="lso",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="engagements",
                        to="organisations.lso",
                    ),
                ),
                migrations.DeleteModel(name="LSO"),
            ],
            database_operations=[],
        ),
    ]
