"""The search documents carry their entry's tie-breaks of a search by relevance (issue 23): the columns
year, date_issued, published_at and created_at, copies of the entry's, written with the document by
depository_search_write_documents as depository/search/sql/search_v8.sql writes it (that file says
why), and filled here for every existing document. Reversing drops the columns and puts back
search_terms.sql's version of the function.

The documents' two GIN indexes are dropped first, so that filling the columns (a new version of every
row) does not add every row's words to them again: migration 0042 builds one per language group in
their place, after 0041 has rewritten the table."""

from django.db import migrations, models

from depository.migrations._search_sql import definition

FUNCTION = "depository_search_write_documents"


def install(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(definition(FUNCTION, "search_v8.sql"))
        cursor.execute(
            "UPDATE depository_entrysearchdocument d SET year = e.year, date_issued = e.date_issued, "
            "published_at = e.published_at, created_at = e.created_at FROM depository_entry e WHERE e.id = d.entry_id"
        )


def uninstall(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(definition(FUNCTION, "search_terms.sql"))


class Migration(migrations.Migration):
    dependencies = [("depository", "0039_negated_words")]

    operations = [
        migrations.RemoveIndex(model_name="entrysearchdocument", name="entry_search_document_gin"),
        migrations.RemoveIndex(model_name="entrysearchdocument", name="entry_search_title_gin"),
        migrations.AddField(
            model_name="entrysearchdocument",
            name="year",
            field=models.PositiveSmallIntegerField(null=True, verbose_name="year"),
        ),
        migrations.AddField(
            model_name="entrysearchdocument",
            name="date_issued",
            field=models.DateField(null=True, verbose_name="date issued"),
        ),
        migrations.AddField(
            model_name="entrysearchdocument",
            name="published_at",
            field=models.DateTimeField(null=True, verbose_name="added to the portal"),
        ),
        migrations.AddField(
            model_name="entrysearchdocument",
            name="created_at",
            field=models.DateTimeField(null=True, verbose_name="created at"),
        ),
        migrations.RunPython(install, uninstall),
    ]
