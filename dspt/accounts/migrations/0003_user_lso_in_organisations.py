"""LSO staff's link follows the LSO model to the organisations app (see organisations 0006).

Only Django's picture changes: the column and its foreign key to support_lso stay as they are.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_personal_api_tokens"),
        ("organisations", "0006_lso"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="user",
                    name="lso",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="staff",
                        to="organisations.lso",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
