"""depository_any_word (issue 23): whether a search's words are in an entry's summary, abstract or
names, so that a page of results asks ts_headline for a snippet only where it can mark one
(depository.search.text.headline_sql). The function is taken from depository/search/sql/search_v5.sql,
which says how it reads a query."""

from django.db import migrations

from depository.migrations._search_sql import SQL_DIR, definition


def install(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(definition("depository_any_word", SQL_DIR / "search_v5.sql"))


def uninstall(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP FUNCTION IF EXISTS depository_any_word(tsquery)")


class Migration(migrations.Migration):
    dependencies = [("depository", "0035_gin_pending_list_limit")]

    operations = [migrations.RunPython(install, uninstall)]
