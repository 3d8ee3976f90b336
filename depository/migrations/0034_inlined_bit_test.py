"""depository_has written so that PostgreSQL inlines it (issue 23): the function is taken from
depository/search/sql/search_v4.sql, which says why; reversing puts back search_v1.sql's version.
Same answers: nothing else changes."""

import re
from pathlib import Path

from django.db import migrations

SQL_DIR = Path(__file__).resolve().parent.parent / "search" / "sql"


def definition(name, sql_file):
    """The file's CREATE OR REPLACE FUNCTION statement for `name`, up to its closing `$$;`."""
    match = re.search(rf"CREATE OR REPLACE FUNCTION {name}\(.*?\$\$;", sql_file.read_text(), re.DOTALL)
    return match.group(0)


def install(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(definition("depository_has", SQL_DIR / "search_v4.sql"))


def uninstall(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(definition("depository_has", SQL_DIR / "search_v1.sql"))


class Migration(migrations.Migration):
    dependencies = [("depository", "0033_rebuild_without_dead_rows")]

    operations = [migrations.RunPython(install, uninstall)]
