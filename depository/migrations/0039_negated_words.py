"""A search with negated words and phrases answered from term rows (issue 23): depository_query_lexemes,
depository_query_negated, depository_query_unwanted and depository_matching as
depository/search/sql/search_v7.sql writes them (the same answers; that file says what changed and
why). Reversing puts back search_v6.sql's and search_v5.sql's versions and drops the two new
functions."""

from django.db import migrations

from depository.migrations._search_sql import definition

FUNCTIONS = {
    "depository_query_lexemes": "search_v6.sql",
    "depository_query_negated": None,
    "depository_query_unwanted": None,
    "depository_matching": "search_v5.sql",
}


def install(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for name in FUNCTIONS:
            cursor.execute(definition(name, "search_v7.sql"))


def uninstall(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for name, earlier in FUNCTIONS.items():
            if earlier:
                cursor.execute(definition(name, earlier))
            else:
                cursor.execute(f"DROP FUNCTION {name}(tsquery)")


class Migration(migrations.Migration):
    dependencies = [("depository", "0038_lexemes_inlined")]

    operations = [migrations.RunPython(install, uninstall)]
