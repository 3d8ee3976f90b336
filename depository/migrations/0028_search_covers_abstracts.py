"""The search document covers the work's own abstract (weight B) and where it was published, its
container and series (weight C): issue 20. The function is taken from depository/search/sql/search_v2.sql,
the one place it is now written (search_v1.sql keeps the version 0010 and 0024 install: a fresh
database runs that file before 0027 adds the columns read here). Then every entry's document is
rewritten, in SQL, in this migration's transaction (documents that do not change are not written)."""

from django.db import migrations

from depository.migrations._search_sql import definition

SQL_FILE = "search_v2.sql"
FUNCTIONS = ["depository_search_documents"]


def install(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for name in FUNCTIONS:
            cursor.execute(definition(name, SQL_FILE))
        cursor.execute("SELECT depository_search_write_documents(ARRAY(SELECT id FROM depository_entry ORDER BY id))")


def uninstall(apps, schema_editor):
    # Back to 0024's document: search_v1.sql's function, every document rewritten with it.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(definition("depository_search_documents", "search_v1.sql"))
        cursor.execute("SELECT depository_search_write_documents(ARRAY(SELECT id FROM depository_entry ORDER BY id))")


class Migration(migrations.Migration):
    dependencies = [("depository", "0027_whole_bibliographic_record")]

    operations = [migrations.RunPython(install, uninstall)]
