# The facet rows follow an entry's changes by difference (issue 12, the 30 ms save): each entry's facet
# rows are recorded (EntryPostings), and search_v2.sql replaces version 1's facet upkeep with one
# that reads that record instead of every row's id array. Then the facet index is rebuilt, in SQL,
# so that every entry has its record (no application code is imported here).

from pathlib import Path

import django.contrib.postgres.fields
from django.db import migrations, models

SQL_FILE = Path(__file__).resolve().parent.parent / "search" / "sql" / "search_v2.sql"


def install_sql(apps, schema_editor):
    # Without parameters, so that the file's own `%` are not taken for placeholders.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(SQL_FILE.read_text())
        cursor.execute("SELECT depository_search_rebuild_facets()")


class Migration(migrations.Migration):
    dependencies = [
        ("depository", "0020_entry_imports_in_the_background"),
    ]

    operations = [
        migrations.CreateModel(
            name="EntryPostings",
            fields=[
                ("entry_id", models.BigIntegerField(primary_key=True, serialize=False, verbose_name="entry id")),
                (
                    "posting_ids",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.IntegerField(), default=list, size=None, verbose_name="facet posting ids"
                    ),
                ),
            ],
            options={
                "verbose_name": "facet rows of an entry",
                "verbose_name_plural": "facet rows of entries",
            },
        ),
        migrations.RunPython(install_sql, migrations.RunPython.noop),
    ]
