"""Term rows for the most frequent words (issue 23): the table, and the SQL functions of
depository/search/sql/search_terms.sql that match through it and keep it current; and the search
document in a fixed word order (search_documents_v3.sql). The rows themselves are chosen by
`manage.py choose_search_terms` (until then every word is matched through the GIN index, as before,
to the same result)."""

import re

from django.db import migrations, models

import depository.models.postings
from depository.migrations._search_sql import SQL_DIR, definition

SQL_FILE = "search_terms.sql"
FUNCTIONS = [
    "depository_search_group",
    "depository_bit_length",
    "depository_query_lexemes",
    "depository_last_ids",
    "depository_matching",
    "depository_search_write_documents",
    "depository_search_rebuild_terms",
]
REPLACED = ["depository_bit_length", "depository_search_write_documents"]


def install(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(definition("depository_search_documents", "search_documents_v3.sql"))
        for name in FUNCTIONS:
            cursor.execute(definition(name, SQL_FILE))
            if name == "depository_search_group":  # the index on it, before the functions that rely on it
                cursor.execute(
                    re.search(
                        r"CREATE INDEX IF NOT EXISTS entry_search_document_group .*?;", (SQL_DIR / SQL_FILE).read_text()
                    ).group(0)
                )


def uninstall(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(definition("depository_search_documents", "search_v2.sql"))
        cursor.execute("DROP INDEX IF EXISTS entry_search_document_group")
        for name in REPLACED:  # back to search_v1.sql's versions
            cursor.execute(f"DROP FUNCTION {name}")
            cursor.execute(definition(name, "search_v1.sql"))
        for name in sorted(set(FUNCTIONS) - set(REPLACED)):
            cursor.execute(f"DROP FUNCTION {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("depository", "0030_freshness_touch_joins"),
    ]

    operations = [
        migrations.CreateModel(
            name="TermPosting",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("language", models.CharField(blank=True, max_length=2, verbose_name="language")),
                ("lexeme", models.TextField(verbose_name="lexeme")),
                ("entry_bits", depository.models.postings.BitStringField(default="", verbose_name="entry bits")),
                ("title_bits", depository.models.postings.BitStringField(default="", verbose_name="title bits")),
                ("size", models.PositiveIntegerField(default=0, verbose_name="number of entries")),
            ],
            options={
                "verbose_name": "term posting",
                "verbose_name_plural": "term postings",
                "constraints": [
                    models.UniqueConstraint(fields=("language", "lexeme"), name="term_posting_unique_lexeme")
                ],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
