"""The search document covers the work's own abstract (weight B) and where it was published, its
container and series (weight C): issue 20. The function is taken from depository/search/sql/search_v2.sql,
the one place it is now written (search_v1.sql keeps the version 0010 and 0024 install: a fresh
database runs that file before 0027 adds the columns read here). Then every entry's document is
rewritten, in SQL, in this migration's transaction (documents that do not change are not written)."""

import re
from pathlib import Path

from django.db import migrations

SQL_FILE = Path(__file__).resolve().parent.parent / "search" / "sql" / "search_v2.sql"
FUNCTIONS = ["depository_search_documents"]


def definition(name, sql_file=SQL_FILE):
    """The file's CREATE OR REPLACE FUNCTION statement for `name`, up to its closing `$$;`."""
    match = re.search(rf"CREATE OR REPLACE FUNCTION {name}\(.*?\$\$;", sql_file.read_text(), re.DOTALL)
    return match.group(0)


def install(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for name in FUNCTIONS:
            cursor.execute(definition(name))
        cursor.execute("SELECT depository_search_write_documents(ARRAY(SELECT id FROM depository_entry ORDER BY id))")


def uninstall(apps, schema_editor):
    # Back to 0024's document: search_v1.sql's function, every document rewritten with it.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(definition("depository_search_documents", SQL_FILE.with_name("search_v1.sql")))
        cursor.execute("SELECT depository_search_write_documents(ARRAY(SELECT id FROM depository_entry ORDER BY id))")


class Migration(migrations.Migration):
    dependencies = [("depository", "0027_whole_bibliographic_record")]

    operations = [migrations.RunPython(install, uninstall)]
