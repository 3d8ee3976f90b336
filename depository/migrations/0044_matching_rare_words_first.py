"""A word without a term row in any language group sent to the GIN index at once (issue 23):
depository_matching as depository/search/sql/search_v10.sql writes it (the same answers; that file says
what changed and why). Reversing puts back search_v7.sql's version."""

from django.db import migrations

from depository.migrations._search_sql import definition


def install(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(definition("depository_matching", "search_v10.sql"))


def uninstall(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(definition("depository_matching", "search_v7.sql"))


class Migration(migrations.Migration):
    dependencies = [("depository", "0043_snippet_words_of_weight_b")]

    operations = [migrations.RunPython(install, uninstall)]
