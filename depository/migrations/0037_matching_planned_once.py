"""The search's matching with fewer trips through the SQL executor (issue 23): depository_matching,
depository_matching_ids and depository_query_lexemes as depository/search/sql/search_v5.sql writes them
(the same answers; that file says what changed and what it saved). Reversing puts back
search_terms.sql's and search_v1.sql's versions."""

from django.db import migrations

from depository.migrations._search_sql import definition

FUNCTIONS = {
    "depository_query_lexemes": "search_terms.sql",
    "depository_matching_ids": "search_v1.sql",
    "depository_matching": "search_terms.sql",
}


def install(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for name in FUNCTIONS:
            cursor.execute(definition(name, "search_v5.sql"))


def uninstall(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for name, earlier in FUNCTIONS.items():
            cursor.execute(definition(name, earlier))


class Migration(migrations.Migration):
    dependencies = [("depository", "0036_snippet_words")]

    operations = [migrations.RunPython(install, uninstall)]
