"""A query's lexemes without a sub-select (issue 23): depository_query_lexemes as
depository/search/sql/search_v6.sql writes it (the same set of words; that file says why). Reversing
puts back search_v5.sql's version."""

from django.db import migrations

from depository.migrations._search_sql import definition


def install(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(definition("depository_query_lexemes", "search_v6.sql"))


def uninstall(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(definition("depository_query_lexemes", "search_v5.sql"))


class Migration(migrations.Migration):
    dependencies = [("depository", "0037_matching_planned_once")]

    operations = [migrations.RunPython(install, uninstall)]
