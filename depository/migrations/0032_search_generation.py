"""The search index's generation (issue 23): a one-row table whose number changes in the same
transaction as every write of the facet rows or of their terms, so that what a search counted can be
cached until the index changes, and not a moment longer (docs/search.md, "The counts' cache"). The SQL
is depository/search/sql/search_v3.sql, the one place it is written, run whole; backwards, search_v1.sql's
definitions of the three functions it replaces come back."""

from django.db import migrations, models

from depository.migrations._search_sql import SQL_DIR, definition

REPLACED = ["depository_search_reindex", "depository_search_rebuild_facets", "depository_search_flush"]


def install(apps, schema_editor):
    # Without parameters, so that the file's own `%I` (format()) are not taken for placeholders.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute((SQL_DIR / "search_v3.sql").read_text())


def uninstall(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for name in REPLACED:
            cursor.execute(definition(name, SQL_DIR / "search_v1.sql"))
        # The term tables' deferred triggers run search_v1.sql's function, which stays: dropped by name;
        # their statement triggers go with their function (CASCADE).
        cursor.execute(
            "SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE 'search\\_terms\\_at\\_commit\\_%'"
        )
        for name, table in cursor.fetchall():
            cursor.execute(f'DROP TRIGGER "{name}" ON "{table}"')
        cursor.execute(
            "DROP FUNCTION depository_search_watch_terms(text); "
            "DROP FUNCTION depository_search_terms_changed() CASCADE; "
            "DROP FUNCTION depository_search_bump(); "
            "DROP SEQUENCE depository_search_generation_seq"
        )


class Migration(migrations.Migration):
    dependencies = [("depository", "0031_term_postings")]

    operations = [
        migrations.CreateModel(
            name="SearchGeneration",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("value", models.BigIntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("id", 1)), name="search_generation_one_row")
                ],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
