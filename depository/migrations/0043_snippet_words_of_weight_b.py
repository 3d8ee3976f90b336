"""Whether a result's snippet can mark a word, asked of the stored document with a query restricted to
weight B instead of a filtered copy of the document (issue 23): depository_any_word_of_weight_b as
depository/search/sql/search_v9.sql writes it (that file says why). Reversing drops it; the code of
the release before used depository_any_word, which stays."""

from django.db import migrations

from depository.migrations._search_sql import definition

FUNCTION = "depository_any_word_of_weight_b"


def install(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(definition(FUNCTION, "search_v9.sql"))


def uninstall(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP FUNCTION {FUNCTION}(tsquery)")


class Migration(migrations.Migration):
    dependencies = [("depository", "0042_search_indexes_per_language_group")]

    operations = [migrations.RunPython(install, uninstall)]
