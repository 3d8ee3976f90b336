"""The search document bounded in bytes, per file and per entry (issue 22, finding 4): an eighth long
file made the tsvector pass PostgreSQL's 1 MB, the extraction's save failed and the file stayed pending.
The two functions are taken from depository/search/sql/search_v1.sql, the one place they are written
(a fresh database gets them from migration 0010, which runs the whole file)."""

from django.db import migrations

from depository.migrations._search_sql import definition

SQL_FILE = "search_v1.sql"
FUNCTIONS = ["depository_search_bounded", "depository_search_documents"]


def install(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for name in FUNCTIONS:
            cursor.execute(definition(name, SQL_FILE))


class Migration(migrations.Migration):
    dependencies = [("depository", "0023_entry_freshness")]

    # Backwards, the bounded builder stays: it indexes what the old one did, bounded.
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
