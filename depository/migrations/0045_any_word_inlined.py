"""depository_any_word as depository/search/sql/search_v11.sql writes it: the same answers, its argument
named once so that PostgreSQL inlines it into the page statement instead of running it as a statement
of its own (issue 23; that file says why). Reversing puts back search_v5.sql's version."""

from django.db import migrations

from depository.migrations._search_sql import definition


def install(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(definition("depository_any_word", "search_v11.sql"))


def uninstall(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(definition("depository_any_word", "search_v5.sql"))


class Migration(migrations.Migration):
    dependencies = [("depository", "0044_matching_rare_words_first")]

    operations = [migrations.RunPython(install, uninstall)]
