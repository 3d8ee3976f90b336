"""The freshness trigger's UPDATE joins the deduplicated ids instead of `id IN (subquery)` over a
transition table (issue 23's benchmark load stalled in it: 161 s for a 100,000-row COPY of tags). The
function is taken from depository/sql/freshness_v1.sql, the one place it is written (a fresh database
gets it from migration 0023, which runs the whole file)."""

import re
from pathlib import Path

from django.db import migrations

SQL_FILE = Path(__file__).resolve().parent.parent / "sql" / "freshness_v1.sql"


def install(apps, schema_editor):
    match = re.search(r"CREATE OR REPLACE FUNCTION depository_touch\(\).*?\$\$;", SQL_FILE.read_text(), re.DOTALL)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(match.group(0))


class Migration(migrations.Migration):
    dependencies = [("depository", "0029_attachment_source_url")]

    # Backwards, the joined form stays: it touches the same entries.
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
