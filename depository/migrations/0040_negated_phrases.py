"""A negated phrase answered like a negated word (issue 23): depository_query_lexemes,
depository_query_negated, depository_query_unwanted and depository_matching as
depository/search/sql/search_v8.sql writes them (the same answers; that file says what changed and
why). Reversing puts back search_v7.sql's versions and drops depository_query_unwanted."""

from django.db import migrations

from depository.migrations._search_sql import definition

FUNCTIONS = {
    "depository_query_lexemes": "search_v7.sql",
    "depository_query_negated": "search_v7.sql",
    "depository_query_unwanted": None,
    "depository_matching": "search_v7.sql",
}


def install(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for name in FUNCTIONS:
            cursor.execute(definition(name, "search_v8.sql"))


def uninstall(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for name, earlier in FUNCTIONS.items():
            if earlier:
                cursor.execute(definition(name, earlier))
        cursor.execute("DROP FUNCTION depository_query_unwanted(tsquery)")


class Migration(migrations.Migration):
    dependencies = [("depository", "0039_negated_words")]

    operations = [migrations.RunPython(install, uninstall)]
