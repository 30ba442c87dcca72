# The repeats merged into a case are found by a partial index of the merged ones: with statistics, SQLite judged the
# foreign key's plain index on this mostly-NULL column useless and scanned every case for each case page.

import django.db.models.deletion
from django.db import migrations, models

# The name Django gave the foreign key's own index (the same on SQLite and PostgreSQL).
PLAIN_INDEX = "cases_case_merged_into_id_1b4320d8"


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_dispatch_unsigned_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("merged_into__isnull", False)), fields=["merged_into"], name="case_merged_into"
            ),
        ),
        # The field loses its own index. Altered by the schema editor, SQLite would copy the whole case table to
        # drop it; the index is dropped by name instead.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="case",
                    name="merged_into",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="merged",
                        to="cases.case",
                        verbose_name="merged into",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=f'DROP INDEX IF EXISTS "{PLAIN_INDEX}"',
                    reverse_sql=f'CREATE INDEX "{PLAIN_INDEX}" ON "cases_case" ("merged_into_id")',
                ),
            ],
        ),
    ]
