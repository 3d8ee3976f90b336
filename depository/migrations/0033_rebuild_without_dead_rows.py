"""A rebuild of the search index writes only the facet rows and records that differ from what the
entries give (issue 23): `manage.py rebuild_search_index` left 100,000 dead rows in
depository_entrypostings at 100,000 entries, every time, though nearly always nothing had changed.
The function is taken from depository/search/sql/search_v3_rebuild.sql, the one place it is now
written (search_v1.sql keeps the version migration 0010 installs). Nothing is rewritten here: the
index it leaves is the same."""

from django.db import migrations

from depository.migrations._search_sql import SQL_DIR, definition

FUNCTIONS = ["depository_search_rebuild_facets", "depository_search_rebuild_documents"]


def install(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for name in FUNCTIONS:
            cursor.execute(definition(name, SQL_DIR / "search_v3_rebuild.sql"))


def uninstall(apps, schema_editor):
    # Back to the delete-and-rewrite rebuild of search_v1.sql, which writes the documents itself.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(definition("depository_search_rebuild_facets", SQL_DIR / "search_v1.sql"))
        cursor.execute("DROP FUNCTION IF EXISTS depository_search_rebuild_documents(bigint[])")


class Migration(migrations.Migration):
    dependencies = [("depository", "0032_search_generation")]

    operations = [migrations.RunPython(install, uninstall)]
