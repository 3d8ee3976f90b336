"""depository_has written so that PostgreSQL inlines it (issue 23): the function is taken from
depository/search/sql/search_v4.sql, which says why; reversing puts back search_v1.sql's version.
Same answers: nothing else changes."""

from django.db import migrations

from depository.migrations._search_sql import SQL_DIR, definition


def install(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(definition("depository_has", SQL_DIR / "search_v4.sql"))


def uninstall(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(definition("depository_has", SQL_DIR / "search_v1.sql"))


class Migration(migrations.Migration):
    dependencies = [("depository", "0033_rebuild_without_dead_rows")]

    operations = [migrations.RunPython(install, uninstall)]
