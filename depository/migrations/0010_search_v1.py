# The search rebuilt as one part (issue 12): the lexeme index (0008) and the signal handlers give way
# to one versioned SQL file, depository/search/sql/search_v1.sql: the document builder, the facet
# index's upkeep, the change queue and its triggers. Then everything is rebuilt from the entries, in
# SQL (no application code is imported here).

from pathlib import Path

import django.contrib.postgres.fields
from django.db import migrations, models

SQL_FILE = Path(__file__).resolve().parent.parent / "search" / "sql" / "search_v1.sql"

DROP_OLD = """
DROP TRIGGER IF EXISTS depository_lexemes_follow_inserted ON depository_entrysearchdocument;
DROP TRIGGER IF EXISTS depository_lexemes_follow_updated ON depository_entrysearchdocument;
DROP FUNCTION IF EXISTS depository_lexemes_follow_documents();
DROP FUNCTION IF EXISTS depository_lexeme_scores(tsvector);
DROP FUNCTION IF EXISTS depository_matching_bits(tsquery, tsquery, tsquery, tsquery, tsquery);
DROP FUNCTION IF EXISTS depository_plain_lexemes(tsquery);
DROP FUNCTION IF EXISTS depository_last_ids(bit varying, integer);
DROP FUNCTION IF EXISTS depository_matching_ids(tsquery, tsquery, tsquery, tsquery, tsquery);
DROP FUNCTION IF EXISTS depository_title_matching_ids(tsquery, tsquery, tsquery, tsquery, tsquery);
"""


def install_sql(apps, schema_editor):
    # Without parameters, so that the file's own `%s` (format()) are not taken for placeholders.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(SQL_FILE.read_text())
        cursor.execute("SELECT depository_search_rebuild()")


class Migration(migrations.Migration):

    dependencies = [
        ("depository", "0009_internal_tags"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.RunSQL(DROP_OLD, migrations.RunSQL.noop),
        migrations.DeleteModel(name="LexemeChampion"),
        migrations.DeleteModel(name="LexemePosting"),
        migrations.CreateModel(
            name="SearchQueue",
            fields=[("entry_id", models.BigIntegerField(primary_key=True, serialize=False, verbose_name="entry id"))],
            options={
                "verbose_name": "entry waiting for the search index",
                "verbose_name_plural": "entries waiting for the search index",
            },
        ),
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
